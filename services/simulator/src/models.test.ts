/** Invariants of every device model over long seeded runs, checked on the published (rounded) numbers. */
import { describe, expect, test } from "bun:test";
import { loadRegistry, numbersOf, registryRanges, registryWithNewType } from "../test/support";
import { PICKUP_AMPS } from "./breaker-model";
import { modelFor } from "./fleet";
import { genericModel } from "./generic-model";
import type { DeviceState, Measurements } from "./model";
import { randomFor } from "./random";

const registry = await loadRegistry();
const waterPump = (await registryWithNewType()).types.get("water_pump")!;
const START = Date.UTC(2026, 0, 5) / 1000;
const DT = 5;
const DAY = 86_400 / DT;
/** Tolerance of "within rounding": values are published with 2 decimals (power factor 3). */
const ROUNDING = 0.01;

type Run = {
  seed?: string;
  devices: number;
  steps: number;
  anomalyRate: number;
  type?: ReturnType<typeof registry.types.get>;
};
type Check = (m: Measurements, state: DeviceState, device: number, t: number) => void;

/** Drives devices of one type through `steps` samples each, `DT` seconds apart, handing each sample to `check`. */
function run(typeId: string, r: Run, check: Check) {
  const type = r.type ?? registry.types.get(typeId)!;
  const model = modelFor(type, { anomalyRate: r.anomalyRate, recloseSeconds: 30 });
  for (let d = 0; d < r.devices; d++) {
    const state = model.create(randomFor(r.seed ?? "invariants", `${typeId}-${d}`), START);
    for (let i = 1; i <= r.steps; i++) check(model.sample(state, START + i * DT, DT), state, d, START + i * DT);
  }
}

/** Counts samples outside the registry's ranges, failing on any that is not an anomaly; also checks every number is finite. */
function rangeChecker(type: string) {
  const ranges = registryRanges(registry.types.get(type)!);
  const seen = { outside: 0 };
  const check: Check = (m, state) => {
    for (const group in m) {
      for (const key in m[group]) {
        const v = m[group]![key];
        if (typeof v !== "number") continue;
        if (!Number.isFinite(v)) throw new Error(`${group}.${key} = ${v}`);
        const [lo, hi] = ranges.get(`${group}.${key}`) ?? [-Infinity, Infinity];
        if (v >= lo && v <= hi) continue;
        if (!state.anomalous) throw new Error(`normal-mode ${group}.${key} = ${v} outside [${lo}, ${hi}]`);
        seen.outside++;
      }
    }
  };
  return { check, seen, ranges };
}

const num = (m: Measurements, group: string, key: string) => m[group]![key] as number;

describe.each(["smart_breaker", "smart_meter", "environmental_sensor"])("%s", (type) => {
  test("normal-mode values stay inside the registry's ranges; only anomalies leave them", () => {
    const calm = rangeChecker(type);
    run(type, { devices: 10, steps: 2 * DAY, anomalyRate: 0 }, calm.check);
    expect(calm.ranges.size).toBeGreaterThan(0);
    expect(calm.seen.outside).toBe(0);

    const eventful = rangeChecker(type);
    run(type, { devices: 10, steps: DAY, anomalyRate: 0.01 }, eventful.check);
    expect(eventful.seen.outside).toBeGreaterThan(0);
  });

  test("two runs with one seed are identical, another seed differs", () => {
    const digest = (seed: string) => {
      const h = new Bun.CryptoHasher("sha256");
      run(type, { seed, devices: 3, steps: DAY / 4, anomalyRate: 0.01 }, (m) => void h.update(JSON.stringify(m)));
      return h.digest("hex");
    };
    expect(digest("a")).toBe(digest("a"));
    expect(digest("a")).not.toBe(digest("b"));
  });
});

describe("smart breaker", () => {
  test("S ≥ P ≥ 0, S = Σ V·I, P = S·pf and Q² = S² − P² within rounding, over a long run with anomalies", () => {
    let samples = 0;
    run("smart_breaker", { devices: 10, steps: 2 * DAY, anomalyRate: 0.01 }, (m) => {
      const [v, i, p] = [m.voltage, m.current, m.power] as [
        Record<string, number>,
        Record<string, number>,
        Record<string, number>,
      ];
      const [S, P, Q, pf] = [p.apparent!, p.active!, p.reactive!, p.factor!];
      const vi = v.phase_a! * i.phase_a! + v.phase_b! * i.phase_b! + v.phase_c! * i.phase_c!;
      if (!(S >= P && P >= 0 && Q >= 0)) throw new Error(`S=${S} P=${P} Q=${Q}`);
      if (
        Math.abs(S - vi) > ROUNDING ||
        Math.abs(P - S * pf) > ROUNDING ||
        Math.abs(Q - Math.sqrt(S * S - P * P)) > ROUNDING
      ) {
        throw new Error(`S=${S} ΣV·I=${vi} P=${P} pf=${pf} Q=${Q}`);
      }
      samples++;
    });
    expect(samples).toBe(20 * DAY);
  });

  test("an open breaker carries no current; trip_count and operating hours never decrease", () => {
    const last = new Map<number, [number, number]>();
    let open = 0;
    run("smart_breaker", { devices: 10, steps: DAY, anomalyRate: 0.01 }, (m, _s, d) => {
      const [trips, hours] = [num(m, "protection", "trip_count"), num(m, "operational", "operating_hours")];
      const [prevTrips, prevHours] = last.get(d) ?? [0, 0];
      if (trips < prevTrips || hours < prevHours)
        throw new Error(`device ${d}: trips ${prevTrips} → ${trips}, hours ${prevHours} → ${hours}`);
      last.set(d, [trips, hours]);
      if (num(m, "status", "breaker") === 1) return;
      open++;
      const flowing = [
        num(m, "current", "phase_a"),
        num(m, "current", "phase_b"),
        num(m, "current", "phase_c"),
        num(m, "protection", "ground_fault_current"),
        num(m, "power", "apparent"),
      ];
      if (flowing.some((x) => x !== 0) || num(m, "status", "position") !== 0)
        throw new Error(`open breaker: ${JSON.stringify(m)}`);
    });
    expect(open).toBeGreaterThan(0);
  });

  test("an overload trips it, it recloses after the reclose time, and each trip counts once", () => {
    const last = new Map<number, { closed: boolean; trips: number; peak: number; openedAt: number }>();
    let [overloadTrips, recloses] = [0, 0];
    run("smart_breaker", { devices: 10, steps: DAY, anomalyRate: 0.01 }, (m, _s, d, t) => {
      const peak = Math.max(num(m, "current", "phase_a"), num(m, "current", "phase_b"), num(m, "current", "phase_c"));
      const now = {
        closed: num(m, "status", "breaker") === 1,
        trips: num(m, "protection", "trip_count"),
        peak,
        openedAt: 0,
      };
      const before = last.get(d) ?? now;
      const added = now.trips - before.trips;
      // A breaker can reclose and trip again within one sample (e.g. onto an arc fault), never trip twice.
      if (
        added < 0 ||
        added > 1 ||
        (before.closed && !now.closed && added !== 1) ||
        (before.closed && now.closed && added !== 0)
      ) {
        throw new Error(`device ${d} at ${t}: ${JSON.stringify(before)} → ${JSON.stringify(now)}`);
      }
      now.openedAt = added === 1 ? t : before.openedAt;
      if (added === 1 && before.peak > PICKUP_AMPS) overloadTrips++;
      if (!before.closed && now.closed) {
        if (t - before.openedAt < 30) throw new Error(`device ${d} reclosed ${t - before.openedAt} s after tripping`);
        recloses++;
      }
      last.set(d, now);
    });
    expect(overloadTrips).toBeGreaterThan(0);
    expect(recloses).toBeGreaterThan(0);
  });
});

describe("smart meter", () => {
  test("energy never decreases", () => {
    const last = new Map<number, number>();
    run("smart_meter", { devices: 10, steps: 2 * DAY, anomalyRate: 0.01 }, (m, _s, d) => {
      const e = num(m, "energy", "value");
      if (e < (last.get(d) ?? 0)) throw new Error(`device ${d}: energy ${last.get(d)} → ${e}`);
      last.set(d, e);
    });
    expect(last.size).toBe(10);
  });
});

describe("environmental sensor", () => {
  test("temperature follows a daily cycle: afternoons are warmer than nights", () => {
    const byHour = new Map<number, number[]>();
    run("environmental_sensor", { devices: 10, steps: 2 * DAY, anomalyRate: 0 }, (m, _s, _d, t) => {
      const hour = Math.floor((t % 86_400) / 3600);
      byHour
        .set(hour, byHour.get(hour) ?? [])
        .get(hour)!
        .push(num(m, "temperature", "value"));
    });
    const mean = (h: number) => byHour.get(h)!.reduce((a, b) => a + b, 0) / byHour.get(h)!.length;
    expect(mean(16) - mean(4)).toBeGreaterThan(2);
  });
});

describe("generic model (device types without a hand-written model)", () => {
  for (const type of [...registry.types.values(), waterPump]) {
    test(`${type.id}: every declared group, numbers inside their min/max, choices from valid_values`, () => {
      const ranges = registryRanges(type);
      let outside = 0;
      const model = genericModel(type, { anomalyRate: 0.01, recloseSeconds: 30 });
      const state = model.create(randomFor("generic", type.id), START);
      for (let i = 1; i <= DAY; i++) {
        const m = model.sample(state, START + i * DT, DT);
        expect(Object.keys(m)).toEqual(Object.keys(type.measurements));
        for (const [field, v] of numbersOf(m)) {
          const [lo, hi] = ranges.get(field) ?? [-Infinity, Infinity];
          if (!Number.isFinite(v)) throw new Error(`${field} = ${v}`);
          if (v < lo || v > hi) {
            if (!state.anomalous) throw new Error(`normal-mode ${field} = ${v} outside [${lo}, ${hi}]`);
            outside++;
          }
        }
        for (const [group, spec] of Object.entries(type.measurements)) {
          for (const [key, c] of Object.entries(spec.components ?? {}))
            if (c.valid_values) expect(c.valid_values).toContain(m[group]![key]);
        }
      }
      expect(outside).toBeGreaterThan(0);
    });
  }
});
