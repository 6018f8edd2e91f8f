/** Both stores, against a real SQLite file and a real PostgreSQL database: same figures, same idempotency. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Point } from "../src/points";
import type { HistoryStore } from "../src/db/store";
import { DIALECTS, openTestStore } from "./support/stores";

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0); // a whole hour
const point = (metric: string, ts: number, value: number, deviceId = "breaker-042"): Point => ({
  deviceId,
  metric,
  ts,
  value,
});

for (const dialect of DIALECTS) {
  describe(`history store on ${dialect}`, () => {
    let store: HistoryStore;
    let close: () => Promise<void>;
    beforeAll(async () => ({ store, close } = await openTestStore(dialect)));
    afterAll(() => close());

    // Two minutes of one metric, 12 points a minute, plus a spike; and a second device.
    const points = [
      ...Array.from({ length: 24 }, (_, i) => point("current.phase_a", T0 + i * 5_000, 10 + (i % 12))),
      point("current.phase_a", T0 + 61_000, 95),
      point("voltage.phase_a", T0 + 30_000, 120.5),
      point("current.phase_a", T0, 1, "breaker-043"),
    ];
    const whole = { deviceId: "breaker-042", metric: "current.phase_a", from: T0, to: T0 + H };

    test("stores points once, and a rewrite of the same points changes no figure", async () => {
      expect(await store.write(points, [])).toEqual({ stored: points.length, duplicates: 0 });
      const minute = await store.range({ ...whole, level: "1m", width: 60_000 });
      const hour = await store.range({ ...whole, level: "1h", width: H });
      expect(await store.write(points, [])).toEqual({ stored: 0, duplicates: points.length });
      expect(await store.write(points.slice(0, 5), [])).toEqual({ stored: 0, duplicates: 5 });
      expect(await store.range({ ...whole, level: "1m", width: 60_000 })).toEqual(minute);
      expect(await store.range({ ...whole, level: "1h", width: H })).toEqual(hour);
    });

    test("1-minute and 1-hour roll-ups: count, avg, min, max, last", async () => {
      const minute = await store.range({ ...whole, level: "1m", width: 60_000 });
      expect(minute).toEqual([
        { t: T0, count: 12, avg: 15.5, min: 10, max: 21, last: 21 },
        { t: T0 + 60_000, count: 13, avg: (186 + 95) / 13, min: 10, max: 95, last: 21 },
      ]);
      const [hour] = await store.range({ ...whole, level: "1h", width: H });
      expect(hour).toEqual({ t: T0, count: 25, avg: (372 + 95) / 25, min: 10, max: 95, last: 21 });
    });

    // PostgreSQL rolls up after the write (SQLite as it writes, where rollUp folds nothing): queries
    // compute what is pending, a minute from raw, an hour from its minutes.
    const rolled = (minutes: number, hours: number) =>
      dialect === "postgres" ? { minutes, hours } : { minutes: 0, hours: 0 };
    const levels = async (w = whole) => [
      await store.range({ ...w, level: "1m", width: 60_000 }),
      await store.range({ ...w, level: "1h", width: H }),
      await store.latest(w.deviceId),
    ];

    test("rolling up changes no figure a query gives, and rolling up again changes nothing", async () => {
      const before = await levels();
      expect(await store.rollUp(T0 + H)).toEqual(rolled(2, 1));
      expect(await levels()).toEqual(before);
      expect(await store.rollUp(T0 + H)).toEqual(rolled(0, 0));
      expect(await levels()).toEqual(before);
    });

    test("a point arriving after its minute was rolled up counts once, before and after the next roll-up", async () => {
      const late = { ...whole, deviceId: "breaker-044" };
      const p = (ts: number, value: number) => point(late.metric, ts, value, late.deviceId);
      await store.write([p(T0, 1), p(T0 + 50_000, 3)], []);
      await store.rollUp(T0 + H);
      expect(await store.write([p(T0 + 20_000, 8)], [])).toEqual({ stored: 1, duplicates: 0 });
      const want = [
        [{ t: T0, count: 3, avg: 4, min: 1, max: 8, last: 3 }],
        [{ t: T0, count: 3, avg: 4, min: 1, max: 8, last: 3 }],
        [{ metric: late.metric, ts: T0 + 50_000, value: 3 }],
      ];
      expect(await levels(late)).toEqual(want);
      expect(await store.rollUp(T0 + H)).toEqual(rolled(1, 1));
      expect(await levels(late)).toEqual(want);
      expect(await store.write([p(T0 + 20_000, 8)], [])).toEqual({ stored: 0, duplicates: 1 });
      expect(await store.rollUp(T0 + H)).toEqual(rolled(0, 0));
      expect(await levels(late)).toEqual(want);
    });

    test("points of one device and time written apart (another message of that instant) are all stored, each once", async () => {
      const at = { ...whole, deviceId: "breaker-046" };
      const p = (metric: string, value: number) => point(metric, T0 + 5_000, value, at.deviceId);
      expect(await store.write([p("current.phase_a", 4), p("current.phase_a", 5)], [])).toEqual({
        stored: 1,
        duplicates: 1,
      });
      // With a new message of the same minute in the batch: both add to the voltage minute.
      const next = point("voltage.phase_a", T0 + 6_000, 232, at.deviceId);
      expect(await store.write([p("current.phase_a", 6), p("voltage.phase_a", 230), next], [])).toEqual({
        stored: 2,
        duplicates: 1,
      });
      expect(await store.write([p("voltage.phase_a", 231), p("current.phase_a", 7)], [])).toEqual({
        stored: 0,
        duplicates: 2,
      });
      const one = (value: number) => [{ t: T0, count: 1, avg: value, min: value, max: value, last: value }];
      expect(await store.range({ ...at, level: "1m", width: 60_000 })).toEqual(one(4));
      const voltage = [{ t: T0, count: 2, avg: 231, min: 230, max: 232, last: 232 }];
      expect(await store.range({ ...at, metric: "voltage.phase_a", level: "raw", width: H })).toEqual(voltage);
      expect(await store.range({ ...at, metric: "voltage.phase_a", level: "1m", width: 60_000 })).toEqual(voltage);
      expect(await store.latest(at.deviceId)).toEqual([
        { metric: "current.phase_a", ts: T0 + 5_000, value: 4 },
        { metric: "voltage.phase_a", ts: T0 + 6_000, value: 232 },
      ]);
    });

    test("a minute, then its hour, is rolled up only once it has ended; until then queries compute it", async () => {
      const open = { ...whole, deviceId: "breaker-045", from: T0 + 2 * H, to: T0 + 3 * H };
      const hour = T0 + 2 * H;
      await store.rollUp(hour); // what earlier tests left pending
      await store.write([point(open.metric, hour + 10_000, 7, open.deviceId)], []);
      const first = { t: hour, count: 1, avg: 7, min: 7, max: 7, last: 7 };
      expect(await store.rollUp(hour + 59_999)).toEqual(rolled(0, 0));
      expect((await levels(open)).slice(0, 2)).toEqual([[first], [first]]);
      expect(await store.rollUp(hour + 60_000)).toEqual(rolled(1, 0));
      expect((await levels(open)).slice(0, 2)).toEqual([[first], [first]]);
      // The hour now holds a rolled-up minute and a pending one.
      await store.write([point(open.metric, hour + 70_000, 9, open.deviceId)], []);
      const want = [
        [first, { t: hour + 60_000, count: 1, avg: 9, min: 9, max: 9, last: 9 }],
        [{ t: hour, count: 2, avg: 8, min: 7, max: 9, last: 9 }],
      ];
      expect((await levels(open)).slice(0, 2)).toEqual(want);
      expect(await store.rollUp(hour + H - 1)).toEqual(rolled(1, 0));
      expect((await levels(open)).slice(0, 2)).toEqual(want);
      expect(await store.rollUp(hour + H)).toEqual(rolled(0, 1));
      expect((await levels(open)).slice(0, 2)).toEqual(want);
    });

    test("downsampling raw points keeps the spike in max", async () => {
      const buckets = await store.range({ ...whole, level: "raw", to: T0 + 120_000, width: 40_000 });
      expect(buckets.map((b) => b.count)).toEqual([8, 9, 8]);
      expect(buckets[1]!.max).toBe(95);
      expect(buckets[1]!.last).toBe(13); // the newest point of [40 s, 80 s) is at 75 s: 10 + 15 % 12, not the spike at 61 s
      expect(buckets.map((b) => b.t)).toEqual([T0, T0 + 40_000, T0 + 80_000]);
    });

    // Buckets spanning many stored rows are read bucket by bucket (SQLite): boundaries, gaps and `last` as for narrow ones.
    test("wide buckets over many roll-ups: edges, empty buckets and last, before and after rolling up", async () => {
      const A = T0 + 5 * H;
      const M = 60_000;
      const wide = { deviceId: "breaker-050", metric: "current.phase_a" };
      // A point a minute at :30 for three hours, a second one in every fifth minute, a spike, and no points in minutes 60–99.
      const written = Array.from({ length: 180 }, (_, i) => i)
        .filter((i) => i < 60 || i >= 100)
        .flatMap((i) => [
          point(wide.metric, A + i * M + 30_000, (i % 7) + (i === 125 ? 100 : 0), wide.deviceId),
          ...(i % 5 === 0 ? [point(wide.metric, A + i * M + 45_000, i / 2, wide.deviceId)] : []),
        ]);
      await store.write(written, []);
      // What a bucket of roll-ups must hold: its points' count, sum, min, max and the newest one's value.
      const expected = (from: number, to: number, width: number, bucketOf: (ts: number) => number) => {
        const out = new Map<
          number,
          { t: number; count: number; sum: number; min: number; max: number; last: number }
        >();
        for (const p of written) {
          const key = bucketOf(p.ts);
          if (key < from || key >= to) continue;
          const t = from + Math.floor((key - from) / width) * width;
          const b = out.get(t) ?? { t, count: 0, sum: 0, min: Infinity, max: -Infinity, last: 0 };
          out.set(t, {
            t,
            count: b.count + 1,
            sum: b.sum + p.value,
            min: Math.min(b.min, p.value),
            max: Math.max(b.max, p.value),
            last: p.value,
          });
        }
        return [...out.values()].map(({ sum, ...b }) => ({ ...b, avg: sum / b.count }));
      };
      const minuteOf = (ts: number) => ts - (ts % M);
      // From minute 5 to minute 172 in 10-minute buckets: a point exactly on a boundary, three empty buckets, a cut last bucket.
      const minutes = { ...wide, level: "1m" as const, from: A + 5 * M, to: A + 172 * M, width: 10 * M };
      const hours = { ...wide, level: "1h" as const, from: A, to: A + 3 * H, width: 8 * H };
      const want = [
        expected(minutes.from, minutes.to, minutes.width, minuteOf),
        expected(A, A + 3 * H, 8 * H, () => A),
      ];
      expect(want[0]).toHaveLength(14);
      const read = async () => [await store.range(minutes), await store.range(hours)];
      expect(await read()).toEqual(want);
      await store.rollUp(A + 3 * H);
      expect(await read()).toEqual(want);

      const windows = Array.from({ length: 24 }, (_, i) => i)
        .filter((i) => i < 6 || i >= 16)
        .map((i) => ({ ...wide, ts: A + i * 5 * M, avg: i + 0.5, min: i, max: i + 1, last: i + 0.25 }));
      await store.write([], windows);
      const got = await store.range({ ...wide, level: "5m", from: A, to: A + 2 * H, width: 40 * M });
      expect(got).toEqual([
        { t: A, count: null, avg: (0.5 + 1.5 + 2.5 + 3.5 + 4.5 + 5.5) / 6, min: 0, max: 6, last: 5.25 },
        {
          t: A + 80 * M,
          count: null,
          avg: (16.5 + 17.5 + 18.5 + 19.5 + 20.5 + 21.5 + 22.5 + 23.5) / 8,
          min: 16,
          max: 24,
          last: 23.25,
        },
      ]);
    });

    test("latest value per metric; an unknown device has none and an empty series", async () => {
      expect(await store.latest("breaker-042")).toEqual([
        { metric: "current.phase_a", ts: T0 + 115_000, value: 21 },
        { metric: "voltage.phase_a", ts: T0 + 30_000, value: 120.5 },
      ]);
      expect(await store.latest("nobody")).toEqual([]);
      expect(await store.range({ ...whole, deviceId: "nobody", level: "1m", width: 60_000 })).toEqual([]);
    });

    test("trends are stored as the device's 5-minute windows; a repeated window is replaced, not added", async () => {
      const w = { deviceId: "breaker-042", metric: "current.phase_a", avg: 15, min: 10, max: 21, last: 12 };
      await store.write(
        [],
        [
          { ...w, ts: T0 },
          { ...w, ts: T0 + 300_000, avg: 16 },
        ],
      );
      await store.write([], [{ ...w, ts: T0 + 300_000, avg: 16 }]);
      const got = await store.range({ ...whole, level: "5m", width: 300_000 });
      expect(got).toEqual([
        { t: T0, count: null, avg: 15, min: 10, max: 21, last: 12 },
        { t: T0 + 300_000, count: null, avg: 16, min: 10, max: 21, last: 12 },
      ]);
    });

    test("retention removes each level's data older than its cutoff", async () => {
      const far = T0 + 400 * 24 * H; // past every partition of the data above
      const removed = await store.removeExpired({ raw: far, "1m": far, "5m": far, "1h": 0 });
      expect(removed).toBeGreaterThan(0);
      expect(await store.range({ ...whole, level: "raw", width: 60_000 })).toEqual([]);
      expect(await store.range({ ...whole, level: "1m", width: 60_000 })).toEqual([]);
      expect(await store.range({ ...whole, level: "5m", width: 300_000 })).toEqual([]);
      expect(await store.range({ ...whole, level: "1h", width: H })).toHaveLength(1);
    });
  });
}
