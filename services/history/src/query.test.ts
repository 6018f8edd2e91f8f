import { describe, expect, test } from "bun:test";
import type { Level } from "./db/store";
import { chooseLevel, planSeries, QueryError } from "./query";

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.UTC(2026, 10, 29, 12);
const limits = {
  maxPoints: 5000,
  retentionMs: { raw: 48 * H, "1m": 30 * D, "5m": 30 * D, "1h": 730 * D } as Record<Level, number>,
};
const plan = (p: Parameters<typeof planSeries>[1]) => planSeries("breaker-042", p, limits, NOW);
const problems = (p: Parameters<typeof planSeries>[1]) => {
  try {
    plan(p);
  } catch (e) {
    if (e instanceof QueryError) return e.problems.map((x) => x.param);
    throw e;
  }
  return [];
};

describe("choosing the level", () => {
  test("the coarsest level that still gives the resolution asked for", () => {
    expect(plan({ metrics: ["a"], from: NOW - 15 * 60_000, to: NOW, points: 500 }).level).toBe("raw");
    expect(plan({ metrics: ["a"], from: NOW - D, to: NOW, points: 500 }).level).toBe("1m");
    expect(plan({ metrics: ["a"], from: NOW - 7 * D, to: NOW, points: 500 }).level).toBe("1m");
    expect(plan({ metrics: ["a"], from: NOW - 30 * D, to: NOW, points: 500 }).level).toBe("1h");
  });

  test("a level whose retention does not reach back to `from` gives way to a coarser one", () => {
    expect(chooseLevel(1000, NOW - 3 * D, NOW, limits.retentionMs)).toBe("1m");
    expect(chooseLevel(1000, NOW - 40 * D, NOW, limits.retentionMs)).toBe("1h");
  });

  test("defaults: the last hour up to now, 500 points; an explicit level is kept", () => {
    const p = plan({ metrics: ["voltage.phase_a,current.phase_a"] });
    expect(p).toEqual({
      deviceId: "breaker-042",
      metrics: ["voltage.phase_a", "current.phase_a"],
      from: NOW - H,
      to: NOW,
      width: Math.ceil(H / 500),
      level: "raw",
    });
    expect(
      plan({ metrics: ["a"], from: "2026-10-30T12:00:00Z", to: String(NOW), points: "500", level: "1m" }),
    ).toMatchObject({ level: "1m", width: Math.ceil((30 * D) / 500) });
  });
});

describe("bad parameters are named", () => {
  test("from after to, absurd ranges and times, points over the limit, odd metrics, unknown levels", () => {
    expect(problems({ metrics: ["a"], from: NOW, to: NOW - 1 })).toEqual(["from"]);
    expect(problems({ metrics: ["a"], from: 0, to: NOW })).toEqual(["from"]);
    expect(problems({ metrics: ["a"], to: "9e99" })).toEqual(["to"]);
    expect(problems({ metrics: ["a"], from: "yesterday" })).toEqual(["from"]);
    expect(problems({ metrics: ["a"], points: "5001" })).toEqual(["points"]);
    expect(problems({ metrics: ["a"], points: "0" })).toEqual(["points"]);
    expect(problems({ metrics: [] })).toEqual(["metric"]);
    expect(problems({ metrics: ["<script>"] })).toEqual(["metric"]);
    expect(problems({ metrics: ["a"], level: "5s" })).toEqual(["level"]);
    expect(problems({ metrics: [], points: "x", level: "?" })).toEqual(["metric", "points", "level"]);
  });
});
