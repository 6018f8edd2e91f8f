/**
 * What one enriched record stores: the numeric leaves of a telemetry message's `measurements`
 * (`voltage.phase_a`), or the 5-minute windows a trends message carries. Text (other than a
 * group's `unit`), booleans, nulls and lists are skipped and counted, never stored as 0: booleans
 * are not numbers the device sent, and a chart of 0/1 would be our invention.
 */
import type { EnrichedEvent, JsonValue } from "@iot/common/telemetry";
import { createPairMap } from "./pair-map";

export const METRIC_MAX_LENGTH = 128;
/** Dot-separated path of word characters: safe in URLs, CSV and Prometheus labels alike. */
const METRIC = /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/;
/** Deeper measurement objects are not telemetry we know how to chart. */
const MAX_DEPTH = 4;

export const isMetricName = (name: string) => name.length <= METRIC_MAX_LENGTH && METRIC.test(name);

export type SkipReason = "non_numeric" | "missing" | "bad_metric" | "too_old" | "future";
export const SKIP_REASONS: SkipReason[] = ["non_numeric", "missing", "bad_metric", "too_old", "future"];

export interface Point {
  deviceId: string;
  metric: string;
  /** Device time, epoch ms. */
  ts: number;
  value: number;
}

export interface TrendWindow {
  deviceId: string;
  metric: string;
  /** Window start, epoch ms. */
  ts: number;
  avg: number;
  min: number;
  max: number;
  last: number;
}

export interface Extracted {
  points: Point[];
  trends: TrendWindow[];
  skipped: Partial<Record<SkipReason, number>>;
}

/** Maps a trend's `group_component` name to the telemetry metric it summarises (`group.component`). */
export type TrendNaming = (deviceType: string, c: string) => string;

/**
 * A measurement's metric name from its parent's name and its key, with whether it is a valid name.
 * Remembered: a fleet repeats the same few hundred paths, so each is joined and checked once, and
 * every point of a path carries the same string, whose hash the series lookups then reuse. Bounded
 * (device-supplied keys are unbounded): past the limit it starts over.
 */
export type MetricNames = (parent: string | undefined, key: string) => { name: string; valid: boolean };

export function metricNames(limit = 10_000): MetricNames {
  const known = createPairMap<string | undefined, { name: string; valid: boolean }>();
  return (parent, key) => {
    let found = known.get(parent, key);
    if (found) return found;
    if (known.size >= limit) known.clear();
    const name = parent === undefined ? key : `${parent}.${key}`;
    known.set(parent, key, (found = { name, valid: isMetricName(name) }));
    return found;
  };
}

/**
 * Appends to `out` (a fresh result by default): a batch passes one result through all its records
 * instead of allocating and copying one per record.
 */
export function extract(
  event: EnrichedEvent,
  trendName: TrendNaming,
  names: MetricNames = metricNames(),
  out: Extracted = { points: [], trends: [], skipped: {} },
): Extracted {
  const deviceId = event.device_id;
  if (event.event_type === "trends") {
    for (const p of event.trends) {
      const metric = trendName(event.device_type, p.c);
      if (!isMetricName(metric)) skip(out, "bad_metric");
      else if (![p.v, p.avg, p.min, p.max, p.t].every(Number.isFinite)) skip(out, "non_numeric");
      else out.trends.push({ deviceId, metric, ts: p.t * 1000, avg: p.avg, min: p.min, max: p.max, last: p.v });
    }
    return out;
  }
  const ts = Date.parse(event.timestamp);
  for (const group in event.measurements)
    walk(out, names, deviceId, ts, undefined, group, event.measurements[group], 1);
  return out;
}

export function skip(out: Extracted, reason: SkipReason, n = 1) {
  out.skipped[reason] = (out.skipped[reason] ?? 0) + n;
}

function walk(
  out: Extracted,
  names: MetricNames,
  deviceId: string,
  ts: number,
  parent: string | undefined,
  key: string,
  value: JsonValue | undefined,
  depth: number,
) {
  if (typeof value === "number") {
    const metric = names(parent, key);
    if (!metric.valid) skip(out, "bad_metric");
    else if (Number.isFinite(value)) out.points.push({ deviceId, metric: metric.name, ts, value });
    else skip(out, "non_numeric");
  } else if (value === null || value === undefined) skip(out, "missing");
  else if (typeof value === "object" && !Array.isArray(value) && depth < MAX_DEPTH) {
    const prefix = names(parent, key).name;
    for (const k in value) {
      const v = value[k];
      if (k === "unit" && typeof v === "string") continue; // a label of its group, not a reading
      walk(out, names, deviceId, ts, prefix, k, v, depth + 1);
    }
  } else skip(out, typeof value === "object" && !Array.isArray(value) ? "bad_metric" : "non_numeric");
}

/**
 * `voltage_phase_a` → `voltage.phase_a`, using the device type's measurement groups from the
 * registry (the longest group that prefixes the name wins, so `power_factor_x` finds `power_factor`
 * before `power`). A type or group the registry does not know keeps the trend's own name.
 */
export function trendNaming(groupsOf: (deviceType: string) => Iterable<string> | undefined): TrendNaming {
  return (deviceType, c) => {
    let best = "";
    for (const g of groupsOf(deviceType) ?? [])
      if (g.length > best.length && c.length > g.length + 1 && c.startsWith(`${g}_`)) best = g;
    return best ? `${best}.${c.slice(best.length + 1)}` : c;
  };
}
