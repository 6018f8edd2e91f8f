/**
 * Trends: per device and metric, avg/min/max and the last value `v` of the samples it published in
 * each window of TRENDS_INTERVAL seconds, windows aligned to wall-clock boundaries (300 s windows
 * start at :00, :05, ...). A metric is `<group>_<component>` for every number a telemetry message
 * carries, single-value groups included ("voltage_phase_a", "frequency_value"); booleans and text
 * are not trended. A device's window closes with its first sample in the next window, so trends go
 * out spread over the publish interval like telemetry rather than the whole fleet at the boundary.
 */
import type { TrendPoint } from "@iot/common/telemetry";
import { type Measurements, round } from "./model";

export interface ClosedWindow {
  /** Window start, epoch seconds. */
  start: number;
  points: TrendPoint[];
}

export const windowStart = (tSec: number, intervalSec: number) => Math.floor(tSec / intervalSec) * intervalSec;

const SUM = 0;
const MIN = 1;
const MAX = 2;
const LAST = 3;

/** Windows of the `devices` devices of one type, in flat arrays (sum, min, max, last per metric). */
export function createTrendWindows(intervalSec: number, devices: number) {
  let names: string[] = [];
  let stats = new Float64Array(0);
  const starts = new Float64Array(devices).fill(NaN);
  const counts = new Uint32Array(devices);

  const close = (slot: number): ClosedWindow => {
    const start = starts[slot]!;
    const n = counts[slot]!;
    const at = slot * names.length * 4;
    const points = names.map((c, i) => {
      const s = at + i * 4;
      return {
        c,
        v: stats[s + LAST]!,
        avg: round(stats[s + SUM]! / n, 3),
        min: stats[s + MIN]!,
        max: stats[s + MAX]!,
        t: start,
      };
    });
    return { start, points };
  };

  return {
    /** Before a sample at `tSec`: if it opens a new window for this device, the one it closes (if any sample was published in it). */
    roll(slot: number, tSec: number): ClosedWindow | undefined {
      const w = windowStart(tSec, intervalSec);
      if (starts[slot] === w) return undefined;
      const closed = counts[slot]! > 0 ? close(slot) : undefined;
      starts[slot] = w;
      counts[slot] = 0;
      return closed;
    },

    /** Adds a published sample to the device's open window. */
    add(slot: number, m: Measurements) {
      if (names.length === 0) {
        names = metricNames(m);
        stats = new Float64Array(devices * names.length * 4);
      }
      const first = counts[slot] === 0;
      let s = slot * names.length * 4;
      let i = 0;
      for (const group in m) {
        const g = m[group]!;
        for (const key in g) {
          const v = g[key];
          if (typeof v !== "number") continue;
          if (i++ >= names.length) continue;
          stats[s + SUM] = first ? v : stats[s + SUM]! + v;
          stats[s + MIN] = first || v < stats[s + MIN]! ? v : stats[s + MIN]!;
          stats[s + MAX] = first || v > stats[s + MAX]! ? v : stats[s + MAX]!;
          stats[s + LAST] = v;
          s += 4;
        }
      }
      // Every model publishes one fixed shape per type; a change would silently shift metrics.
      if (i !== names.length) throw new Error(`a sample has ${i} numbers where its device type has ${names.length}`);
      counts[slot] = counts[slot]! + 1;
    },
  };
}

export type TrendWindows = ReturnType<typeof createTrendWindows>;

function metricNames(m: Measurements): string[] {
  return Object.entries(m).flatMap(([group, g]) =>
    Object.entries(g).flatMap(([key, v]) => (typeof v === "number" ? [`${group}_${key}`] : [])),
  );
}
