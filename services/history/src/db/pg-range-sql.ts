/**
 * Range reads of the PostgreSQL roll-up levels. Roll-ups are computed after the write
 * (pg-rollups.ts), so a bucket with points still logged in `rollup_pending` is computed here from
 * raw points with the job's own SQL, and its stored row (stale or absent) is left out: a query sees
 * every durable point, and the same figures before and after the job has run.
 */
import { type SQL, sql } from "drizzle-orm";
import { HOUR_MS, MINUTE_MS } from "../rollup";
import { HOURS_FROM_MINUTES, MINUTES_FROM_RAW } from "./pg-rollups";
import { rangeSql } from "./range-sql";
import type { Level } from "./store";

const WIDTHS = { "1m": MINUTE_MS, "1h": HOUR_MS } as const;

export function pgRangeSql(level: Level, seriesId: number, from: number, to: number, width: number): SQL {
  if (level !== "1m" && level !== "1h") return rangeSql(level, seriesId, from, to, width, (n) => sql`${n}::int8`);
  const size = sql.raw(String(WIDTHS[level]));
  const [lo, hi, w] = [sql`${from}::int8`, sql`${to}::int8`, sql`${width}::int8`];
  // The minutes of this level's pending buckets, from raw; the time range keeps the read on the primary key.
  const fresh = sql`${sql.raw(MINUTES_FROM_RAW)} where series_id = ${seriesId} and ts >= (select min(b) from p)
    and ts < (select max(b) from p) + ${size} and ts - ts % ${size} in (select b from p) group by 1, 2`;
  const tail = level === "1m" ? fresh : sql`${sql.raw(HOURS_FROM_MINUTES(""))} (${fresh}) m group by 1, 2`;
  const table = sql.raw(`rollup_${level}`);
  return sql`with p as (select distinct bucket - bucket % ${size} as b from rollup_pending where bucket >= ${lo} - ${size} and bucket < ${hi}),
    src as (
      select bucket, count, sum, min, max, last, last_ts from ${table}
        where series_id = ${seriesId} and bucket >= ${lo} and bucket < ${hi} and bucket not in (select b from p)
      union all
      select bucket, count, sum, min, max, last, last_ts from (${tail}) t where bucket >= ${lo} and bucket < ${hi})
    select (bucket - ${lo}) / ${w} as b, sum(count) as n, sum(sum) as s, min(min) as lo, max(max) as hi,
      (array_agg(last order by last_ts desc))[1] as last
    from src group by 1 order by 1`;
}
