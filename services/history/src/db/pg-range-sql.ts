/**
 * Range reads in PostgreSQL, where raw points are stored a message per row and roll-ups are
 * computed after the write (pg-rollups.ts). A roll-up bucket with points still logged in
 * `rollup_pending` is computed here from raw points with the job's own SQL, and its stored row
 * (stale or absent) is left out: a query sees every durable point, and the same figures before and
 * after the job has run. Every level is read as rows of (bucket, count, sum, min, max, last) and
 * downsampled alike.
 *
 * A read is two statements: the series' id with the level's pending buckets in the range (a
 * prepared statement), then the read itself, chosen by whether anything is pending. Most reads
 * find nothing pending (the job runs every few seconds): they read the stored roll-ups alone, and
 * their plan never names the raw partitions. Otherwise the raw read is bounded by the pending
 * buckets' own times, so its partitions are pruned when the plan is made.
 */
import { sql } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { HOUR_MS, MINUTE_MS } from "../rollup";
import { HOURS_FROM_MINUTES, MINUTES_FROM_RAW, RAW_POINTS } from "./pg-rollups";
import { type NewestRaw, type RangeRow, rangeSql } from "./range-sql";
import type { Level } from "./store";

const WIDTHS = { "1m": MINUTE_MS, "1h": HOUR_MS } as const;
type RollupLevel = keyof typeof WIDTHS;
const isRollup = (level: Level): level is RollupLevel => level in WIDTHS;

export interface Statement {
  text: string;
  params: Array<string | number | number[]>;
  /** Several statements and no parameters: run with the simple protocol; the last one's rows are the answer. */
  simple?: boolean;
}

const SERIES = "from series where device_id = $1 and metric = $2";
/** $1 device, $2 metric (and for a roll-up level $3 from, $4 to); answers `id` and `pending` (the level's buckets, int8[]). */
const LOOKUP = {
  plain: `select id, '{}'::int8[] as pending ${SERIES}`,
  ...(Object.fromEntries(
    Object.entries(WIDTHS).map(([level, size]) => [
      level,
      `select id, array(select distinct bucket - bucket % ${size} from rollup_pending
        where bucket >= $3::int8 - ${size} and bucket < $4::int8 order by 1) as pending ${SERIES}`,
    ]),
  ) as Record<RollupLevel, string>),
};

export function seriesLookup(level: Level, deviceId: string, metric: string, from: number, to: number): Statement {
  return isRollup(level)
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

/**
 * Stored roll-ups of buckets with nothing pending, and the pending ones ($2, int8[]) from raw
 * ($1 the device id); the raw read is bounded by the pending buckets' span, which prunes its partitions.
 */
const withPending = (level: RollupLevel, r: Range, span: [string, string]) => {
  const size = WIDTHS[level];
  const minutes = `${MINUTES_FROM_RAW} where device_id = $1 and series_id = ${r.series} and ts >= ${span[0]}
    and ts < ${span[1]} and ts - ts % ${size} in (select unnest($2::int8[])) group by 1, 2`;
  const fresh = level === "1m" ? minutes : `${HOURS_FROM_MINUTES("")} (${minutes}) m group by 1, 2`;
  const inRange = `bucket >= ${r.from} and bucket < ${r.to}`;
  return downsample(
    r,
    `select bucket, count, sum, min, max, last, last_ts from rollup_${level}
      where series_id = ${r.series} and ${inRange} and bucket not in (select unnest($2::int8[]))
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

/** The read of one series at `level`, given the pending buckets `seriesLookup` found; its groups in no order (`rangeRows`). */
export function pgRangeRead(
  level: Level,
  { deviceId, seriesId }: { deviceId: string; seriesId: number },
  { from, to, width }: { from: number; to: number; width: number },
  pending: number[],
): Statement {
  if (level === "5m") {
    const q = dialect.sqlToQuery(rangeSql(level, seriesId, from, to, width, (n) => sql`${n}::int8`));
    return { text: asJson(q.sql), params: q.params as Statement["params"] };
  }
  const r = { series: String(seriesId), from: int8(from), to: int8(to), width: int8(width) };
  if (level === "raw") return { text: raw(r), params: [deviceId] };
  if (pending.length === 0) return { text: stored(level, r), params: [], simple: true };
  const span: [string, string] = [int8(pending[0]!), int8(pending.at(-1)! + WIDTHS[level])];
  return { text: withPending(level, r, span), params: [deviceId, pending] };
}

/** A series' newest raw point: the newest message of its device that carries it. */
const newestRaw = (column: string) =>
  `(select ${column} from raw_messages r where r.device_id = s.device_id and s.id = any(r.series_ids) order by r.ts desc limit 1)`;
export const NEWEST_RAW_MESSAGE: NewestRaw = {
  ts: newestRaw("r.ts"),
  value: newestRaw("r.readings[array_position(r.series_ids, s.id)]"),
};
