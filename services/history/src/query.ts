/**
 * Range queries: parameters checked (every bad one named), the level chosen, each metric's series
 * read and downsampled by the store. REST, RPC, CSV and the dashboard all call these functions.
 */
import type { Bucket, HistoryStore, Latest, Level } from "./db/store";
import { isMetricName } from "./points";
import { HOUR_MS, MINUTE_MS } from "./rollup";

/** Beyond what Date can represent, or a range no chart needs: refused, not clamped. */
const MAX_TIME_MS = 8.64e15;
const MAX_RANGE_MS = 3660 * 24 * HOUR_MS;
const MAX_METRICS = 20;
const DEVICE_ID_MAX_LENGTH = 256;
const DEFAULT_SPAN_MS = HOUR_MS;
const DEFAULT_POINTS = 500;
/** Finest first; a level is chosen when its buckets are no coarser than the resolution asked for. */
const ROLLUP_LEVELS: Array<[Level, number]> = [
  ["raw", 0],
  ["1m", MINUTE_MS],
  ["1h", HOUR_MS],
];
export const QUERY_LEVELS = ["raw", "1m", "1h"] as const;

export class QueryError extends Error {
  constructor(readonly problems: Array<{ param: string; message: string }>) {
    super(problems.map((p) => `${p.param}: ${p.message}`).join("; "));
    this.name = "QueryError";
  }
}

/** As received: REST gives strings, RPC numbers; absent means the default. */
export interface SeriesParams {
  metrics: string[];
  from?: string | number;
  to?: string | number;
  points?: string | number;
  level?: string;
}

export interface SeriesPlan {
  deviceId: string;
  metrics: string[];
  from: number;
  to: number;
  level: Level;
  /** Width of one output point, ms. */
  width: number;
}

export interface SeriesResult extends SeriesPlan {
  series: Array<{ metric: string; points: Bucket[] }>;
}

export interface QueryLimits {
  maxPoints: number;
  retentionMs: Record<Level, number>;
}

export function planSeries(
  deviceId: string,
  p: SeriesParams,
  limits: QueryLimits,
  now: number,
  fixedLevel?: Level,
): SeriesPlan {
  const problems: QueryError["problems"] = [];
  const bad = (param: string, message: string) => void problems.push({ param, message });
  if (deviceId.length === 0 || deviceId.length > DEVICE_ID_MAX_LENGTH)
    bad("id", `expected 1–${DEVICE_ID_MAX_LENGTH} characters`);
  const metrics = [
    ...new Set(
      p.metrics
        .flatMap((m) => m.split(","))
        .map((m) => m.trim())
        .filter(Boolean),
    ),
  ];
  if (metrics.length === 0) bad("metric", "at least one metric is required, e.g. metric=voltage.phase_a");
  else if (metrics.length > MAX_METRICS) bad("metric", `at most ${MAX_METRICS} metrics per call`);
  const odd = metrics.filter((m) => !isMetricName(m));
  if (odd.length > 0)
    bad(
      "metric",
      `not a metric name: ${odd
        .slice(0, 3)
        .map((m) => JSON.stringify(m.slice(0, 40)))
        .join(", ")}`,
    );
  const to = timeParam("to", p.to, now, bad);
  const from = timeParam("from", p.from, to - DEFAULT_SPAN_MS, bad);
  if (from >= to) bad("from", "must be before to");
  else if (to - from > MAX_RANGE_MS) bad("from", `the range may span at most ${MAX_RANGE_MS / (24 * HOUR_MS)} days`);
  const points = intParam("points", p.points, DEFAULT_POINTS, limits.maxPoints, bad);
  let level = fixedLevel;
  if (p.level !== undefined && p.level !== "") {
    const asked = QUERY_LEVELS.find((l) => l === p.level);
    if (asked) level = asked;
    else bad("level", `expected one of ${QUERY_LEVELS.join("|")}`);
  }
  if (problems.length > 0) throw new QueryError(problems);
  const width = Math.max(1, Math.ceil((to - from) / points));
  return { deviceId, metrics, from, to, width, level: level ?? chooseLevel(width, from, now, limits.retentionMs) };
}

/** The coarsest level still as fine as `width`, moved coarser while its retention does not reach back to `from`. */
export function chooseLevel(width: number, from: number, now: number, retentionMs: Record<Level, number>): Level {
  let i = ROLLUP_LEVELS.findLastIndex(([, bucket]) => bucket <= width);
  while (i < ROLLUP_LEVELS.length - 1 && from < now - retentionMs[ROLLUP_LEVELS[i]![0]]) i++;
  return ROLLUP_LEVELS[i]![0];
}

export function createQueries(store: HistoryStore, limits: QueryLimits, now: () => number = Date.now) {
  const run = async (plan: SeriesPlan): Promise<SeriesResult> => ({
    ...plan,
    series: await Promise.all(
      plan.metrics.map(async (metric) => ({
        metric,
        points: await store.range({ ...plan, metric, width: plan.width }),
      })),
    ),
  });
  return {
    /** Unknown devices and metrics answer empty series. Throws QueryError naming bad parameters. */
    series: (deviceId: string, p: SeriesParams) => run(planSeries(deviceId, p, limits, now())),
    /** The devices' own 5-minute windows. */
    trends: (deviceId: string, p: SeriesParams) =>
      run(planSeries(deviceId, { ...p, level: undefined }, limits, now(), "5m")),
    async latest(deviceId: string): Promise<Latest[]> {
      if (deviceId.length === 0 || deviceId.length > DEVICE_ID_MAX_LENGTH)
        throw new QueryError([{ param: "id", message: `expected 1–${DEVICE_ID_MAX_LENGTH} characters` }]);
      return store.latest(deviceId);
    },
  };
}
export type Queries = ReturnType<typeof createQueries>;

function timeParam(
  name: string,
  v: string | number | undefined,
  fallback: number,
  bad: (p: string, m: string) => void,
): number {
  if (v === undefined || v === "") return fallback;
  const ms = typeof v === "number" ? v : /^-?\d+$/.test(v.trim()) ? Number(v.trim()) : Date.parse(v);
  if (!Number.isSafeInteger(ms) || Math.abs(ms) > MAX_TIME_MS) {
    bad(name, "expected an RFC 3339 time or epoch milliseconds within the range of a date");
    return fallback;
  }
  return ms;
}

function intParam(
  name: string,
  v: string | number | undefined,
  fallback: number,
  max: number,
  bad: (p: string, m: string) => void,
): number {
  if (v === undefined || v === "") return fallback;
  const n = typeof v === "number" ? v : /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    bad(name, `expected a whole number from 1 to ${max}`);
    return fallback;
  }
  return n;
}
