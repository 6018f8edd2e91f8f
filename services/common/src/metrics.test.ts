import { expect, test } from "bun:test";
import { createMetrics, parseMetrics } from "./metrics";

test("counters, gauges and histograms render as Prometheus text and parse back", () => {
  const m = createMetrics();
  const c = m.counter("events_total", "Events.");
  c.inc({ reason: 'say "hi"' }, 2);
  c.inc();
  m.gauge("lag", "Lag.", () => 42);
  const h = m.histogram("batch_seconds", "Batch time.", [0.1, 1]);
  h.observe(0.05);
  h.observe(0.5);
  const text = m.render();
  expect(text).toContain("# TYPE events_total counter");
  expect(text).toContain('events_total{reason="say \\"hi\\""} 2');
  const parsed = parseMetrics(text);
  expect(parsed.get("events_total")).toBe(1);
  expect(parsed.get("lag")).toBe(42);
  expect(parsed.get('batch_seconds_bucket{le="0.1"}')).toBe(1);
  expect(parsed.get('batch_seconds_bucket{le="1"}')).toBe(2);
  expect(parsed.get('batch_seconds_bucket{le="+Inf"}')).toBe(2);
  expect(parsed.get("batch_seconds_count")).toBe(2);
});

test("a metric name registered twice is a programming error", () => {
  const m = createMetrics();
  m.counter("x_total", "X.");
  expect(() => m.counter("x_total", "X.")).toThrow("registered twice");
});
