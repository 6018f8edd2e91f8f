/**
 * The read queries both dialects run. Downsampling: a level's rows in [from, to) grouped into buckets of
 * `width` ms from `from`; counts and sums add (avg = sum/count), min and max combine, so a spike
 * stays visible at any zoom; `last` is read from the group's newest row by its key.
 */
import { type SQL, sql } from "drizzle-orm";
import type { Bucket, Level } from "./store";

interface Shape {
  table: string;
  key: string;
  count: string;
  sum: string;
  min: string;
  max: string;
  last: string;
}

const ROLLUP = { key: "bucket", count: "count", sum: "sum", min: "min", max: "max", last: "last" };
/** Each level's table as rows of (key, count, sum, min, max, last): the columns, or the expression standing for one. */
export const LEVEL_SHAPES: Record<Level, Shape> = {
  raw: { table: "raw_points", key: "ts", count: "1", sum: "value", min: "value", max: "value", last: "value" },
  "1m": { table: "rollup_1m", ...ROLLUP },
  "1h": { table: "rollup_1h", ...ROLLUP },
  // A device's window avg has no sample count: the downsampled avg is the mean of window avgs.
  "5m": { table: "trends_5m", key: "bucket", count: "1", sum: "avg", min: "min", max: "max", last: "last" },
};

export const LEVEL_TABLES = Object.fromEntries(
  Object.entries(LEVEL_SHAPES).map(([l, s]) => [l, { table: s.table, key: s.key }]),
) as Record<Level, { table: string; key: string }>;

/** `int` casts a bound number to the dialect's 64-bit integer so the bucket division is integral. */
export function rangeSql(
  level: Level,
  seriesId: number,
  from: number,
  to: number,
  width: number,
  int: (n: number) => SQL,
): SQL {
  const s = LEVEL_SHAPES[level];
  const [t, k] = [sql.raw(s.table), sql.raw(s.key)];
  return sql`with g as (
    select (${k} - ${int(from)}) / ${int(width)} as b, sum(${sql.raw(s.count)}) as n, sum(${sql.raw(s.sum)}) as s,
           min(${sql.raw(s.min)}) as lo, max(${sql.raw(s.max)}) as hi, max(${k}) as k
    from ${t} where series_id = ${seriesId} and ${k} >= ${int(from)} and ${k} < ${int(to)} group by 1)
  select g.b, g.n, g.s, g.lo, g.hi, r.${sql.raw(s.last)} as last from g join ${t} r on r.series_id = ${seriesId} and r.${k} = g.k order by g.b`;
}

export type RangeRow = Record<"b" | "n" | "s" | "lo" | "hi" | "last", number | string>;

/** PostgreSQL returns bigint and numeric aggregates as strings. */
export function toBuckets(rows: RangeRow[], level: Level, from: number, width: number): Bucket[] {
  return rows.map((r) => {
    const n = Number(r.n);
    return {
      t: from + Number(r.b) * width,
      count: level === "5m" ? null : n,
      avg: Number(r.s) / n,
      min: Number(r.lo),
      max: Number(r.hi),
      last: Number(r.last),
    };
  });
}

const newest = (table: string, key: string, column: string) =>
  `(select ${column} from ${table} where series_id = s.id order by ${key} desc limit 1)`;
/** Correlated on `s` (the series): its newest raw point's time and value. */
export interface NewestRaw {
  ts: string;
  value: string;
}
export const NEWEST_RAW_POINT: NewestRaw = {
  ts: newest("raw_points", "ts", "ts"),
  value: newest("raw_points", "ts", "value"),
};
const ROLLUPS = ["rollup_1m", "rollup_1h"];

/**
 * Each metric's newest value: its newest raw point, or the `last` of its newest 1-minute roll-up
 * (then 1-hour) once the raw points have expired. Read, not kept: a `latest` row updated for every
 * point would be one more write per point and a hot, churning row per series. Raw first, since
 * PostgreSQL rolls up after the write.
 */
export function latestSql(deviceId: string, raw: NewestRaw = NEWEST_RAW_POINT): SQL {
  const first = (rawPick: string, column: string) =>
    sql.raw(`coalesce(${[rawPick, ...ROLLUPS.map((t) => newest(t, "bucket", column))].join(", ")})`);
  return sql`select metric, ts, value from (
    select s.metric, ${first(raw.ts, "last_ts")} as ts, ${first(raw.value, "last")} as value
    from series s where s.device_id = ${deviceId}) l where ts is not null order by metric`;
}
