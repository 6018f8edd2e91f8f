/**
 * Range reads in SQLite. `group by (key - from) / width` (rangeSql) cannot use the primary key's
 * order, so SQLite copies every row of the range into a temporary B-tree to group it: for 30 days of
 * 1-minute roll-ups (43,200 rows into 500 buckets) that sorter was two thirds of the query. When many
 * stored rows fold into each output bucket, each bucket is instead aggregated by its own range scan
 * of the primary key (rows visited once, in key order, nothing sorted) and its `last` read by one
 * probe for its newest row. That costs a few index seeks per bucket, so with few rows a bucket the
 * sorted grouping stays cheaper and is kept.
 */
import type { Database } from "bun:sqlite";
import { sql } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { HOUR_MS, MINUTE_MS } from "../rollup";
import { LEVEL_SHAPES, type RangeRow, rangeSql } from "./range-sql";
import { type Level, LEVELS } from "./store";

/**
 * Stored rows a bucket must span at least (one row per series per level bucket) to be read bucket by
 * bucket: measured (5,000 buckets of a month of minutes) cheaper from ~8.6 rows a bucket, dearer at 1–2.
 */
const DENSE_ROWS = 8;
/** A level's own bucket; raw points have none (a device sends at any rate), so they are always grouped. */
const LEVEL_MS: Record<Level, number> = {
  raw: Number.POSITIVE_INFINITY,
  "1m": MINUTE_MS,
  "5m": 5 * MINUTE_MS,
  "1h": HOUR_MS,
};

/**
 * Non-empty buckets only: each step finds the next stored row at or after the next bucket's start
 * (one seek) and jumps to its bucket, so a sparse series costs nothing for its gaps. A bucket's
 * aggregates come back as one JSON array (a scalar subquery yields one value; SQLite writes doubles
 * with enough digits to read back the same number).
 */
function bucketwiseSql(level: Level): string {
  const s = LEVEL_SHAPES[level];
  const rows = (lo: string, hi: string) =>
    `from ${s.table} where series_id = $series and ${s.key} >= ${lo} and ${s.key} < ${hi}`;
  const next = (lo: string) => `((select min(${s.key}) ${rows(lo, "$to")}) - $from) / $width`;
  const bucket = rows("$from + g.b * $width", "min($from + (g.b + 1) * $width, $to)");
  return `with recursive g(b) as (select ${next("$from")}
      union all select ${next("$from + (g.b + 1) * $width")} from g where g.b is not null)
    select g.b, (select json_array(sum(${s.count}), sum(${s.sum}), min(${s.min}), max(${s.max})) ${bucket}) as a,
      (select ${s.last} ${bucket} order by ${s.key} desc limit 1) as last
    from g where g.b is not null order by g.b`;
}

const BUCKETWISE = Object.fromEntries(LEVELS.map((l) => [l, bucketwiseSql(l)])) as Record<Level, string>;
const dialect = new SQLiteSyncDialect();

/** The range reader of one connection; statements are compiled once and cached by bun:sqlite. */
export function createSqliteRange(client: Database) {
  return (level: Level, seriesId: number, from: number, to: number, width: number): RangeRow[] => {
    if (width < DENSE_ROWS * LEVEL_MS[level]) {
      const q = dialect.sqlToQuery(rangeSql(level, seriesId, from, to, width, (n) => sql`${n}`));
      return client.query<RangeRow, never[]>(q.sql).all(...(q.params as never[]));
    }
    const rows = client
      .query<{ b: number; a: string; last: number }, [Record<string, number>]>(BUCKETWISE[level])
      .all({ series: seriesId, from, to, width });
    return rows.map(({ b, a, last }) => {
      const [n, s, lo, hi] = JSON.parse(a) as number[];
      return { b, n: n!, s: s!, lo: lo!, hi: hi!, last };
    });
  };
}
