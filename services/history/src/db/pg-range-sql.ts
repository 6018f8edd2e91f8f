/**
 * Range reads in PostgreSQL, where raw points are stored a message per row and roll-ups are
 * computed after the write (pg-rollups.ts). A roll-up bucket with points still logged in
 * `rollup_pending` is computed here from raw points with the job's own SQL, and its stored row
 * (stale or absent) is left out: a query sees every durable point, and the same figures before and
 * after the job has run. Every level is read as rows of (bucket, count, sum, min, max, last,
 * last_ts) and downsampled alike.
 */
import { type SQL, sql } from "drizzle-orm";
import { HOUR_MS, MINUTE_MS } from "../rollup";
import { HOURS_FROM_MINUTES, MINUTES_FROM_RAW, RAW_POINTS } from "./pg-rollups";
import { type NewestRaw, rangeSql } from "./range-sql";
import type { Level } from "./store";

const WIDTHS = { "1m": MINUTE_MS, "1h": HOUR_MS } as const;

export interface SeriesRef {
  deviceId: string;
  seriesId: number;
}

export function pgRangeSql(
  level: Level,
  { deviceId, seriesId }: SeriesRef,
  from: number,
  to: number,
  width: number,
): SQL {
  if (level === "5m") return rangeSql(level, seriesId, from, to, width, (n) => sql`${n}::int8`);
  const [lo, hi, w] = [sql`${from}::int8`, sql`${to}::int8`, sql`${width}::int8`];
  const ofSeries = sql`device_id = ${deviceId} and series_id = ${seriesId}`;
  // The newest row's `last` without ordering each group: arrays compare element by element, and
  // epoch ms are exact as doubles, so the greatest [last_ts, last] is the newest row's.
  const downsample = (src: SQL) => sql`select (bucket - ${lo}) / ${w} as b, sum(count) as n, sum(sum) as s,
      min(min) as lo, max(max) as hi, (max(array[last_ts::float8, last]))[2] as last
    from (${src}) src group by 1 order by 1`;
  if (level === "raw")
    return downsample(sql`select ts as bucket, 1 as count, value as sum, value as min, value as max, value as last,
      ts as last_ts from ${sql.raw(RAW_POINTS)} where ${ofSeries} and ts >= ${lo} and ts < ${hi}`);
  const size = sql.raw(String(WIDTHS[level]));
  return sql`with p as materialized (select distinct bucket - bucket % ${size} as b from rollup_pending
      where bucket >= ${lo} - ${size} and bucket < ${hi})
    ${downsample(rollupSource(level, ofSeries, seriesId, lo, hi))}`;
}

/** Stored roll-ups of buckets with nothing pending (`p`), and the pending ones from raw. */
function rollupSource(level: "1m" | "1h", ofSeries: SQL, seriesId: number, lo: SQL, hi: SQL): SQL {
  const size = sql.raw(String(WIDTHS[level]));
  // The time range keeps the raw read on the primary key; the list picks the pending buckets in it.
  const minutes = sql`${sql.raw(MINUTES_FROM_RAW)} where ${ofSeries} and ts >= (select min(b) from p)
    and ts < (select max(b) from p) + ${size} and ts - ts % ${size} in (select b from p) group by 1, 2`;
  const fresh = level === "1m" ? minutes : sql`${sql.raw(HOURS_FROM_MINUTES(""))} (${minutes}) m group by 1, 2`;
  return sql`select bucket, count, sum, min, max, last, last_ts from ${sql.raw(`rollup_${level}`)}
      where series_id = ${seriesId} and bucket >= ${lo} and bucket < ${hi} and bucket not in (select b from p)
    union all
    select bucket, count, sum, min, max, last, last_ts from (${fresh}) f where bucket >= ${lo} and bucket < ${hi}`;
}

/** A series' newest raw point: the newest message of its device that carries it. */
const newestRaw = (column: string) =>
  `(select ${column} from raw_messages r where r.device_id = s.device_id and s.id = any(r.series_ids) order by r.ts desc limit 1)`;
export const NEWEST_RAW_MESSAGE: NewestRaw = {
  ts: newestRaw("r.ts"),
  value: newestRaw("r.readings[array_position(r.series_ids, s.id)]"),
};
