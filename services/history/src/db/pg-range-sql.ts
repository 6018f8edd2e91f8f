/**
 * Range reads in PostgreSQL, where raw points are stored a message per row and roll-ups are
 * computed after the write (pg-rollups.ts). A roll-up bucket still pending is computed here with the
 * job's own SQL, and its stored row (stale or absent) is left out: a minute with points logged in
 * `rollup_pending` from raw points; an hour with a pending minute, or logged in `rollup_pending_1h`,
 * from its stored minutes and its pending ones (from raw). A query sees every durable point, and the
 * same figures before and after the job has run. Every level is read as rows of (bucket, count,
 * sum, min, max, last) and downsampled alike.
 *
 * A read is two statements: the series' id with the level's pending buckets in the range (a
 * prepared statement), then the read itself, chosen by whether anything is pending. Most minute
 * reads find nothing pending (the job runs every few seconds): they read the stored roll-ups alone,
 * and their plan never names the raw partitions; an hour read finds the current hour pending (its
 * ≤ 60 minutes are read). A raw read is bounded by the pending minutes' own times, so its partitions
 * are pruned when the plan is made.
 */
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { HOUR_MS, MINUTE_MS } from "../rollup";
import { HOURS_FROM_MINUTES, MINUTES_FROM_RAW, RAW_POINTS } from "./pg-rollups";
import { type NewestRaw, type RangeRow, rangeSql } from "./range-sql";
import type { Level } from "./store";

type RollupLevel = "1m" | "1h";

export interface Statement {
  text: string;
  params: Array<string | number | number[]>;
  /** Several statements and no parameters: run with the simple protocol; the last one's rows are the answer. */
  simple?: boolean;
}

const SERIES = "from series where device_id = $1 and metric = $2";
const pendingMinutes = (size: number) => `array(select distinct bucket from rollup_pending
  where bucket >= $3::int8 - ${size} and bucket < $4::int8 order by 1)`;
/**
 * $1 device, $2 metric (and for a roll-up level $3 from, $4 to); answers `id`, `pending` (the level's
 * pending buckets, int8[]) and for hours `minutes` (the pending minutes in the range, int8[]).
 */
const LOOKUP: Record<"plain" | RollupLevel, string> = {
  plain: `select id, '{}'::int8[] as pending, '{}'::int8[] as minutes ${SERIES}`,
  "1m": `select id, ${pendingMinutes(MINUTE_MS)} as pending, '{}'::int8[] as minutes ${SERIES}`,
  "1h": `select id, array(select bucket - bucket % ${HOUR_MS} from rollup_pending where bucket >= $3::int8 - ${HOUR_MS} and bucket < $4::int8
      union select bucket from rollup_pending_1h where bucket >= $3::int8 - ${HOUR_MS} and bucket < $4::int8 order by 1) as pending,
    ${pendingMinutes(HOUR_MS)} as minutes ${SERIES}`,
};

export function seriesLookup(level: Level, deviceId: string, metric: string, from: number, to: number): Statement {
  return level === "1m" || level === "1h"
    ? { text: LOOKUP[level], params: [deviceId, metric, from, to] }
    : { text: LOOKUP.plain, params: [deviceId, metric] };
}

/**
 * Numbers go into the read's text as literals (checked integers; the device id stays a parameter).
 * A prepared read would switch to a generic plan after five runs, guess the range's row count
 * without the values and sort all 43,200 rows of a month; a read with no parameters is also one
 * round trip instead of two (describe, then execute).
 */
const int8 = (n: number) => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`expected an integer, got ${n}`);
  return `${n}::int8`;
};

interface Range {
  series: string;
  from: string;
  to: string;
  width: string;
}

/**
 * A read's groups (b, n, s, lo, hi, last) as one JSON array of arrays: one value for postgres-js to
 * parse instead of 500 rows of six text columns (~2 ms of the process a month's read). PostgreSQL
 * writes a double in its shortest form that reads back the same number, so the figures are unchanged.
 */
const asJson = (groups: string) =>
  `select coalesce(json_agg(json_build_array(b, n, s, lo, hi, last)), '[]') as groups from (${groups}) g`;

/** What a read answers: one row holding its groups. */
export type RangeAnswer = Array<{ groups: Array<[number, number, number, number, number, number]> }>;
export const rangeRows = ([answer]: RangeAnswer): RangeRow[] =>
  answer!.groups.map(([b, n, s, lo, hi, last]) => ({ b, n, s, lo, hi, last }));

/**
 * Downsamples rows of (bucket, count, sum, min, max, last, last_ts). The newest row's `last` without
 * ordering each group: arrays compare element by element, and epoch ms are exact as doubles, so
 * the greatest [last_ts, last] is the newest row's.
 */
const downsample = (r: Range, src: string) =>
  asJson(`select (bucket - ${r.from}) / ${r.width} as b, sum(count) as n,
    sum(sum) as s, min(min) as lo, max(max) as hi, (max(array[last_ts::float8, last]))[2] as last
  from (${src}) src group by 1`);

/**
 * Stored roll-ups only: a month of minutes is 43,200 rows into 500 groups, which only hashing does
 * cheaply. The planner cannot see that the division merges ~86 rows into one, and on partitions not
 * yet analysed it guesses a row per partition: either way it would sort every row (spilling to disk
 * at the default work_mem). `offset 0` hides the per-row estimate, sorting is switched off for this
 * transaction (the switched-off sort's cost would trigger JIT, which is why the pool runs without it).
 * Groups come back unordered (the caller sorts 500 rows). `last` is one index probe per group for
 * its newest row, cheaper than building an array for every row.
 */
const stored = (level: RollupLevel, r: Range) => `set local enable_sort = off;
  ${asJson(`select g.b, g.n, g.s, g.lo, g.hi,
    (select last from rollup_${level} l where l.series_id = ${r.series} and l.bucket = g.k) as last
  from (select b, sum(count) as n, sum(sum) as s, min(min) as lo, max(max) as hi, max(bucket) as k
    from (select (bucket - ${r.from}) / ${r.width} as b, bucket, count, sum, min, max from rollup_${level}
      where series_id = ${r.series} and bucket >= ${r.from} and bucket < ${r.to} offset 0) r group by 1) g`)}`;

/** The span [first, last + width) of sorted buckets, as literals: it bounds a read so its partitions are pruned. */
const spanOf = (buckets: number[], width: number): [string, string] => [
  int8(buckets[0]!),
  int8(buckets.at(-1)! + width),
];

/** Minutes from raw: the series' points ($1 the device id) in the minutes listed in `list` (int8[]), within `span`. */
const rawMinutes = (r: Range, span: [string, string], list: string) =>
  `${MINUTES_FROM_RAW} where device_id = $1 and series_id = ${r.series} and ts >= ${span[0]}
    and ts < ${span[1]} and ts - ts % ${MINUTE_MS} in (select unnest(${list})) group by 1, 2`;

/**
 * Hours from minutes: the series' stored minutes in the hours listed in `hours` (int8[]) within
 * `span`, but those listed in `raw.list`, which are computed from raw within `raw.span`.
 */
const hoursFromMinutes = (
  r: Range,
  hours: string,
  span: [string, string],
  raw?: { list: string; span: [string, string] },
) => {
  const stored = `select series_id, bucket, count, sum, min, max, last, last_ts from rollup_1m where series_id = ${r.series}
    and bucket >= ${span[0]} and bucket < ${span[1]} and bucket - bucket % ${HOUR_MS} in (select unnest(${hours}))`;
  const minutes = raw
    ? `${stored} and bucket not in (select unnest(${raw.list})) union all ${rawMinutes(r, raw.span, raw.list)}`
    : stored;
  return `${HOURS_FROM_MINUTES("")} (${minutes}) m group by 1, 2`;
};

/** Stored roll-ups of buckets with nothing pending, and the pending ones (`list`, int8[]) as `fresh` computes them. */
const withPending = (level: RollupLevel, r: Range, list: string, fresh: string) => {
  const inRange = `bucket >= ${r.from} and bucket < ${r.to}`;
  return downsample(
    r,
    `select bucket, count, sum, min, max, last, last_ts from rollup_${level}
      where series_id = ${r.series} and ${inRange} and bucket not in (select unnest(${list}))
    union all
    select bucket, count, sum, min, max, last, last_ts from (${fresh}) f where ${inRange}`,
  );
};

const raw = (r: Range) =>
  downsample(
    r,
    `select ts as bucket, 1 as count, value as sum, value as min, value as max, value as last, ts as last_ts
    from ${RAW_POINTS} where device_id = $1 and series_id = ${r.series} and ts >= ${r.from} and ts < ${r.to}`,
  );

const dialect = new PgDialect();

/**
 * The read of one series at `level`, given the pending buckets (and for hours, minutes) `seriesLookup`
 * found; its groups in no order (`rangeRows`).
 */
export function pgRangeRead(
  level: Level,
  { deviceId, seriesId }: { deviceId: string; seriesId: number },
  { from, to, width }: { from: number; to: number; width: number },
  { pending, minutes }: { pending: number[]; minutes: number[] },
): Statement {
  if (level === "5m") {
    const q = dialect.sqlToQuery(rangeSql(level, seriesId, from, to, width, (n) => sql`${n}::int8`));
    return { text: asJson(q.sql), params: q.params as Statement["params"] };
  }
  const r = { series: String(seriesId), from: int8(from), to: int8(to), width: int8(width) };
  if (level === "raw") return { text: raw(r), params: [deviceId] };
  if (pending.length === 0) return { text: stored(level, r), params: [], simple: true };
  if (level === "1m") {
    const fresh = rawMinutes(r, spanOf(pending, MINUTE_MS), "$2::int8[]");
    return { text: withPending(level, r, "$2::int8[]", fresh), params: [deviceId, pending] };
  }
  const span = spanOf(pending, HOUR_MS);
  if (minutes.length === 0)
    return { text: withPending(level, r, "$1::int8[]", hoursFromMinutes(r, "$1::int8[]", span)), params: [pending] };
  const fresh = hoursFromMinutes(r, "$2::int8[]", span, { list: "$3::int8[]", span: spanOf(minutes, MINUTE_MS) });
  return { text: withPending(level, r, "$2::int8[]", fresh), params: [deviceId, pending, minutes] };
}

/** A series' newest raw point: the newest message of its device that carries it. */
const newestRaw = (column: string) =>
  `(select ${column} from raw_messages r where r.device_id = s.device_id and s.id = any(r.series_ids) order by r.ts desc limit 1)`;
export const NEWEST_RAW_MESSAGE: NewestRaw = {
  ts: newestRaw("r.ts"),
  value: newestRaw("r.readings[array_position(r.series_ids, s.id)]"),
};
