import { expect, test } from "bun:test";
import { quietLogger } from "@iot/common/testing";
import { createSeries } from "../state/series";
import { type HistoryClient, type HistoryPoint, type HistorySeries, HistoryUnavailable } from "./client";
import { createStoredHistory } from "./stored-history";

const MIN = 60_000;
const T0 = 1_800_000_000_000;

/** A history service answering one metric with a point per minute up to `newest`, counting its calls. */
function fakeClient() {
  const c = {
    newest: T0,
    down: false,
    calls: 0,
    metricsCalls: 0,
  };
  const answer = async (_id: string, metrics: string[], from: number, to: number): Promise<HistorySeries> => {
    c.calls++;
    if (c.down) throw new HistoryUnavailable("history service answered 503");
    const points: HistoryPoint[] = [];
    for (let t = c.newest; t >= from && t <= to; t -= MIN)
      points.unshift({ t, count: 1, avg: 1, min: 1, max: 1, last: 1 });
    return { level: "raw", width_ms: MIN, series: metrics.map((metric) => ({ metric, points })) };
  };
  const client: HistoryClient = {
    metrics: async () => {
      c.metricsCalls++;
      if (c.down) throw new HistoryUnavailable("history service unreachable");
      return ["voltage.phase_a"];
    },
    series: answer,
    trends: answer,
  };
  return { c, client };
}

function setup(maxEntries = 8) {
  const { c, client } = fakeClient();
  let now = T0;
  let refreshes = 0;
  let onRefresh = () => {};
  const stored = createStoredHistory({
    client,
    refreshMs: 60_000,
    maxEntries,
    refreshed: () => {
      refreshes++;
      onRefresh();
    },
    log: quietLogger(),
    now: () => now,
  });
  const refreshed = () => new Promise<void>((resolve) => (onRefresh = resolve));
  return { c, stored, refreshed, refreshes: () => refreshes, at: (t: number) => void (now = t) };
}

test("a page load reads the range once, however many ask at once; the live rendering then reuses it", async () => {
  const { c, stored } = setup();
  const [a, b] = await Promise.all([stored.read("b-1", "1h"), stored.read("b-1", "1h")]);
  expect(a).toBe(b);
  expect(c.metricsCalls).toBe(1);
  expect(a.series?.series[0]?.points.at(-1)?.t).toBe(T0);
  for (let i = 0; i < 10; i++) expect(stored.current("b-1", "1h", undefined)).toBe(a);
  expect(c.metricsCalls).toBe(1);
  await stored.read("b-1", "1h"); // loading the range again reads it again
  expect(c.metricsCalls).toBe(2);
});

test("nothing kept (a live stream before the page's read, or forgotten): read in the background, then rendered", async () => {
  const { c, stored, refreshed } = setup();
  const done = refreshed();
  expect(stored.current("b-2", "15m", undefined)).toBeUndefined();
  expect(stored.current("b-2", "15m", undefined)).toBeUndefined(); // one read in flight, not two
  await done;
  expect(c.metricsCalls).toBe(1);
  expect(stored.current("b-2", "15m", undefined)?.series?.series).toHaveLength(1);
});

test("read again when the newest stored point left the window, but at most once per refresh interval", async () => {
  const { c, stored, refreshed, at } = setup();
  c.newest = T0 - 14 * MIN - 30_000;
  await stored.read("b-3", "15m");
  at(T0 + 59_000); // the newest point left the window, but the read is recent
  expect(stored.current("b-3", "15m", undefined)).toBeDefined();
  expect(c.metricsCalls).toBe(1);
  at(T0 + 60_000);
  c.newest = T0 + 30_000;
  const done = refreshed();
  stored.current("b-3", "15m", undefined);
  await done;
  expect(c.metricsCalls).toBe(2);
  expect(stored.current("b-3", "15m", undefined)?.series?.series[0]?.points.at(-1)?.t).toBe(T0 + 30_000);
});

test("read again when the live tail no longer reaches back to the stored part (a hole in the chart)", async () => {
  const { c, stored, refreshed, at } = setup();
  await stored.read("b-4", "1h");
  at(T0 + 2 * MIN);
  const touching = createSeries(4);
  touching.add(T0 + 30_000, [["voltage.phase_a", 1]]);
  stored.current("b-4", "1h", touching);
  expect(c.metricsCalls).toBe(1); // the tail starts within two stored steps of the last stored point

  const holed = createSeries(4);
  holed.add(T0 + 3 * MIN, [["voltage.phase_a", 1]]);
  c.newest = T0 + 2 * MIN;
  const done = refreshed();
  stored.current("b-4", "1h", holed);
  await done;
  expect(c.metricsCalls).toBe(2);
});

test("a history service that was away is asked again after the refresh interval, not on every rendering", async () => {
  const { c, stored, refreshed, refreshes, at } = setup();
  c.down = true;
  expect((await stored.read("b-5", "1h")).problem).toBe(
    "History is not available right now (history service unreachable).",
  );
  stored.current("b-5", "1h", undefined);
  expect(c.metricsCalls).toBe(1);
  c.down = false;
  at(T0 + 60_000);
  const done = refreshed();
  stored.current("b-5", "1h", undefined);
  await done;
  expect(refreshes()).toBe(1);
  expect(stored.current("b-5", "1h", undefined)?.problem).toBeUndefined();
});

test("a range with nothing stored reads as empty series; only the newest devices × ranges shown are kept", async () => {
  const { c, stored } = setup(2);
  c.newest = T0 - 365 * 86_400_000;
  expect((await stored.read("quiet", "15m")).series?.series[0]?.points).toEqual([]);
  await stored.read("b-6", "1h");
  await stored.read("b-6", "24h");
  expect(stored.current("b-6", "24h", undefined)).toBeDefined();
  expect(stored.current("b-6", "1h", undefined)).toBeDefined();
  const calls = c.metricsCalls;
  expect(stored.current("quiet", "15m", undefined)).toBeUndefined(); // forgotten: read again
  expect(c.metricsCalls).toBe(calls + 1);
});
