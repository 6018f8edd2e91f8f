import { describe, expect, test } from "bun:test";
import { formatTimestamp } from "@iot/common/codec";
import type { DeviceEvent, TelemetryEvent, TrendsEvent } from "@iot/common/telemetry";
import { readmeExample, registryWithNewType, shapeOf } from "../test/support";
import { createFleet } from "./fleet";
import { windowStart } from "./trends";

const registry = await registryWithNewType();
const WINDOW = 60;
const START = Date.parse("2026-01-05T10:02:17.345Z"); // mid-window: the first window is partial

/** A mixed fleet run for `seconds` of simulated time; every 7th telemetry event is refused, as a full buffer would. */
function run(seconds: number) {
  const fleet = createFleet({
    devices: ["smart_breaker=3", "smart_meter=1", "environmental_sensor=1", "water_pump=1"].map((s) => ({
      type: s.split("=")[0]!,
      count: Number(s.split("=")[1]),
    })),
    registry,
    seed: "trends",
    intervalMs: 5_000,
    trendsIntervalSec: WINDOW,
    burst: false,
    model: { anomalyRate: 0.01, recloseSeconds: 30 },
    startMs: START,
  });
  const published: DeviceEvent[] = [];
  let offered = 0;
  const emit = (e: DeviceEvent) => {
    if (e.event_type === "telemetry" && ++offered % 7 === 0) return false;
    published.push(e);
    return true;
  };
  for (let t = START; t <= START + seconds * 1000; t += 1000) fleet.advance(t, emit);
  return {
    published,
    telemetry: published.filter((e): e is TelemetryEvent => e.event_type === "telemetry"),
    trends: published.filter((e): e is TrendsEvent => e.event_type === "trends"),
  };
}

const seconds = (timestamp: string) => Date.parse(timestamp) / 1000;

describe("trends", () => {
  const { telemetry, trends } = run(5 * WINDOW);

  test("each aggregate equals a recomputation from the published samples of its window", () => {
    expect(trends.length).toBeGreaterThanOrEqual(6 * 4);
    for (const tr of trends) {
      const start = tr.trends[0]!.t;
      const samples = telemetry.filter(
        (e) => e.device_id === tr.device_id && windowStart(seconds(e.timestamp), WINDOW) === start,
      );
      expect(samples.length).toBeGreaterThan(0);
      const metrics = new Map<string, number[]>();
      for (const s of samples) {
        for (const [group, g] of Object.entries(s.measurements)) {
          for (const [key, v] of Object.entries(g))
            if (typeof v === "number") metrics.set(`${group}_${key}`, [...(metrics.get(`${group}_${key}`) ?? []), v]);
        }
      }
      expect(tr.trends.map((p) => p.c)).toEqual([...metrics.keys()]);
      for (const p of tr.trends) {
        const values = metrics.get(p.c)!;
        expect(p.v).toBe(values.at(-1)!);
        expect(p.min).toBe(Math.min(...values));
        expect(p.max).toBe(Math.max(...values));
        // avg is published with 3 decimals
        expect(Math.abs(p.avg - values.reduce((a, b) => a + b, 0) / values.length)).toBeLessThanOrEqual(0.0005 + 1e-9);
      }
    }
  });

  test("windows are aligned to wall-clock boundaries; the message timestamp is the window start", () => {
    for (const tr of trends) {
      const start = tr.trends[0]!.t;
      expect(start % WINDOW).toBe(0);
      expect(tr.timestamp).toBe(formatTimestamp(start));
      expect(tr.trends.every((p) => p.t === start)).toBe(true);
    }
    const breaker = trends.filter((e) => e.device_id === "breaker-001").map((e) => e.trends[0]!.t);
    const first = windowStart(START / 1000, WINDOW);
    expect(breaker).toEqual([0, 1, 2, 3, 4].map((i) => first + i * WINDOW)); // the open sixth window is not out yet
  });

  test("a device's window goes out with its first sample in the next window, just before it", () => {
    const { published } = run(3 * WINDOW);
    const windowOf = (e: DeviceEvent) =>
      e.event_type === "trends" ? e.trends[0]!.t : windowStart(seconds(e.timestamp), WINDOW);
    let checked = 0;
    published.forEach((e, i) => {
      if (e.event_type !== "trends") return;
      const mine = published.filter((x, j) => x.device_id === e.device_id && Math.abs(j - i) > 0);
      const before = mine.filter((x) => published.indexOf(x) < i).at(-1)!;
      const after = mine.find((x) => published.indexOf(x) > i);
      expect(windowOf(before)).toBe(windowOf(e));
      if (after) expect(windowOf(after)).toBe(windowOf(e) + WINDOW);
      checked++;
    });
    expect(checked).toBeGreaterThan(0);
  });

  test("a trends message has the keys and nesting of the README example", async () => {
    const example = (await readmeExample("Trends message (5-minute aggregates)")) as unknown as TrendsEvent;
    const ours = JSON.parse(JSON.stringify(trends[0]!)) as TrendsEvent;
    expect(shapeOf({ ...ours, trends: ours.trends.slice(0, 1) } as never)).toEqual(shapeOf(example as never));
  });

  test("windowStart aligns to the interval's wall-clock boundaries", () => {
    expect(windowStart(Date.parse("2025-08-19T17:42:37.594Z") / 1000, 300)).toBe(
      Date.parse("2025-08-19T17:40:00Z") / 1000,
    );
    expect(windowStart(Date.parse("2025-08-19T17:45:00Z") / 1000, 300)).toBe(Date.parse("2025-08-19T17:45:00Z") / 1000);
    expect(windowStart(Date.parse("2025-08-19T17:59:59.999Z") / 1000, 3600)).toBe(
      Date.parse("2025-08-19T17:00:00Z") / 1000,
    );
  });
});
