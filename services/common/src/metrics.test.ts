import { expect, test } from "bun:test";
import { createMetrics, parseMetrics } from "./metrics";

test("counters, gauges and histograms render as Prometheus text and parse back", async () => {
  const m = createMetrics();
  const c = m.counter("events_total", "Events.", ["reason"]);
  c.inc({ reason: 'say "hi"' }, 2);
  m.counter("plain_total", "Plain.").inc();
  m.gauge("lag", "Lag.", () => 42);
  const h = m.histogram("batch_seconds", "Batch time.", [0.1, 1]);
  h.observe(0.05);
  h.observe(0.5);
  const text = await m.render();
  expect(text).toContain("# TYPE events_total counter");
  expect(text).toContain('events_total{reason="say \\"hi\\""} 2');
  const parsed = parseMetrics(text);
  expect(parsed.get("plain_total")).toBe(1);
  expect(parsed.get("lag")).toBe(42);
  expect(parsed.get('batch_seconds_bucket{le="0.1"}')).toBe(1);
  expect(parsed.get('batch_seconds_bucket{le="1"}')).toBe(2);
  expect(parsed.get('batch_seconds_bucket{le="+Inf"}')).toBe(2);
  expect(parsed.get("batch_seconds_count")).toBe(2);
  expect(await c.get({ reason: 'say "hi"' })).toBe(2);
  expect(await c.get({ reason: "other" })).toBe(0);
});

test("a callback gauge stops reporting a label set once its callback no longer returns it", async () => {
  const m = createMetrics();
  let lagByTopic: Array<[Record<string, string>, number]> = [
    [{ topic: "iot.raw" }, 5],
    [{ topic: "old.topic" }, 9],
  ];
  m.gauge("lag_records", "Lag by topic.", { labelNames: ["topic"], collect: () => lagByTopic });
  expect(parseMetrics(await m.render()).get('lag_records{topic="old.topic"}')).toBe(9);
  lagByTopic = [[{ topic: "iot.raw" }, 3]];
  const now = parseMetrics(await m.render());
  expect(now.get('lag_records{topic="iot.raw"}')).toBe(3);
  expect(now.has('lag_records{topic="old.topic"}')).toBe(false);
});

test("each service's registry is its own, and a name registered twice in one is a programming error", () => {
  const a = createMetrics();
  const b = createMetrics();
  a.counter("x_total", "X.");
  b.counter("x_total", "X.");
  expect(() => a.counter("x_total", "X.")).toThrow("already been registered");
});

test("a label the metric did not declare is a programming error", () => {
  const m = createMetrics();
  expect(() => m.counter("y_total", "Y.", ["reason"]).inc({ topic: "t" })).toThrow();
});
