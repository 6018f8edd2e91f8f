/** Reads every stored hour of the input's (device, metric) series through the series API. */
import type { HourFigure } from "./fleet-week";

const HOUR_MS = 3_600_000;

export interface StoredHour {
  count: number;
  avg: number;
  min: number;
  max: number;
  last: number;
}

export async function storedHours(
  url: string,
  week: { hours: Map<string, HourFigure>; startMs: number; endMs: number },
): Promise<Map<string, StoredHour>> {
  const metricsOf = new Map<string, Set<string>>();
  for (const key of week.hours.keys()) {
    const [device, metric] = key.split("|") as [string, string];
    metricsOf.set(device, (metricsOf.get(device) ?? new Set()).add(metric));
  }
  const hours = Math.round((week.endMs - week.startMs) / HOUR_MS);
  const got = new Map<string, StoredHour>();
  for (const [device, metrics] of metricsOf) {
    const list = [...metrics];
    for (let i = 0; i < list.length; i += 20) {
      const q = new URLSearchParams({
        from: String(week.startMs),
        to: String(week.endMs),
        points: String(hours),
        level: "1h",
      });
      list.slice(i, i + 20).forEach((m) => q.append("metric", m));
      const res = await fetch(`${url}/api/devices/${device}/series?${q}`);
      if (res.status !== 200) throw new Error(`series answered ${res.status}: ${await res.text()}`);
      const body = (await res.json()) as {
        level: string;
        width_ms: number;
        series: Array<{ metric: string; points: Array<StoredHour & { t: number }> }>;
      };
      if (body.level !== "1h" || body.width_ms !== HOUR_MS)
        throw new Error(`expected hourly points, got ${body.level} every ${body.width_ms} ms`);
      for (const s of body.series) for (const { t, ...p } of s.points) got.set(`${device}|${s.metric}|${t}`, p);
    }
  }
  return got;
}

/** count/min/max/last, which must match exactly (avg is a sum taken in another order: see avgError). */
export const exactFigures = (m: Map<string, StoredHour>) =>
  new Map([...m].map(([k, { avg: _avg, ...exact }]) => [k, exact]));
export const expectedFigures = (hours: Map<string, HourFigure>) =>
  new Map([...hours].map(([k, f]) => [k, { count: f.count, min: f.min, max: f.max, last: f.last }]));
/** The largest relative difference between a stored avg and the input's sum/count. */
export function avgError(stored: Map<string, StoredHour>, hours: Map<string, HourFigure>): number {
  let worst = 0;
  for (const [k, f] of hours) {
    const want = f.sum / f.count;
    worst = Math.max(worst, Math.abs((stored.get(k)?.avg ?? NaN) - want) / Math.max(1, Math.abs(want)));
  }
  return Number.isNaN(worst) ? Infinity : worst;
}
