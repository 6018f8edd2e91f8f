/**
 * Roll-ups in PostgreSQL, computed set-based from the raw points after they are written instead of
 * upserted for every point: the way TimescaleDB's continuous aggregates work (an invalidation log
 * written with the data, and a refresh that recomputes the invalidated buckets).
 *
 * A write inserts raw messages and appends the minutes they fall in to `rollup_pending`, in its own
 * transaction: a crash loses neither. `rollUp` takes the log, recomputes each logged minute that
 * has closed from every series' raw points, then each hour it touched from the hour's minutes, and
 * replaces what was stored. A recompute is idempotent by construction: a redelivered point adds no
 * raw row, and running the job twice stores the same figures. A point written while the job runs
 * appends a log row the job did not take (its snapshot predates it), so that minute is simply
 * rolled up again on the next run. Until a minute is rolled up, queries read raw for it
 * (pg-range-sql.ts), with the same SQL, so a chart does not change when the job catches up.
 */
import type { Sql } from "postgres";
import { HOUR_MS, MINUTE_MS } from "../rollup";
import type { createPartitions } from "./pg-partitions";

/** Any fixed number: one roll-up job at a time across replicas, so an older snapshot never replaces newer figures. */
const ROLLUP_LOCK = 5_008_002;

/**
 * Sums add in time order (`sum(… order by …)`): floating-point addition depends on order, and the
 * raw-tail query must give the very figures the job will store. `last` is the value of the greatest
 * time, taken as the greatest [time, value] pair: a series has one value per time (one per message
 * row, and a row's series are distinct), and a minute's `last_ts` is inside it, so no two pairs of a
 * group share a time. The same figure as `(array_agg(value order by ts desc))[1]` without a second
 * sort per group (a few % of the job's CPU).
 */
/** Raw points as rows (device_id, series_id, ts, value): each message row unnested. */
export const RAW_POINTS = `(select r.device_id, u.series_id, r.ts, u.value from raw_messages r
  cross join lateral unnest(r.series_ids, r.readings) as u(series_id, value)) raw`;
export const MINUTES_FROM_RAW = `select series_id, ts - ts % ${MINUTE_MS} as bucket, count(*)::int as count, sum(value order by ts) as sum,
  min(value) as min, max(value) as max, (max(array[ts::float8, value]))[2] as last, max(ts) as last_ts
  from ${RAW_POINTS}`;
export const HOURS_FROM_MINUTES = (minutes: string) => `select series_id, bucket - bucket % ${HOUR_MS} as bucket,
  sum(count)::int as count, sum(sum order by bucket) as sum, min(min) as min, max(max) as max,
  (max(array[last_ts::float8, last]))[2] as last, max(last_ts) as last_ts
  from ${minutes}`;

const REPLACE = `on conflict (series_id, bucket) do update set count = excluded.count, sum = excluded.sum,
  min = excluded.min, max = excluded.max, last = excluded.last, last_ts = excluded.last_ts`;
const COLUMNS = "(series_id, bucket, count, sum, min, max, last, last_ts)";

export function createRollups(client: Sql, partitions: ReturnType<typeof createPartitions>) {
  return {
    /** Rolls up every logged minute that ended by `closedBefore` (epoch ms); returns how many minutes. */
    async rollUp(closedBefore: number): Promise<number> {
      const pending = await client<{ bucket: string }[]>`select distinct bucket from rollup_pending`;
      if (!pending.some((r) => Number(r.bucket) + MINUTE_MS <= closedBefore)) return 0;
      return client
        .begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(${ROLLUP_LOCK})`;
          const taken = await tx<
            { bucket: string }[]
          >`with t as (delete from rollup_pending where bucket + ${MINUTE_MS} <= ${closedBefore}
          returning bucket) select distinct bucket from t order by 1`;
          const minutes = taken.map((r) => Number(r.bucket));
          if (minutes.length === 0) return 0;
          // Created here, where roll-up rows are written (on another connection: committed at once).
          await partitions.ensure([
            ["1m", minutes],
            ["1h", minutes],
          ]);
          const hours = [...new Set(minutes.map((m) => m - (m % HOUR_MS)))];
          // The time ranges keep both reads on the BRIN indexes; the lists pick the buckets inside them
          // (`in (select unnest …)` is a hash lookup; `= any(…)` would scan the list for every row).
          await tx.unsafe(
            `insert into rollup_1m ${COLUMNS} ${MINUTES_FROM_RAW}
           where ts >= $1 and ts < $2 and ts - ts % ${MINUTE_MS} in (select unnest($3::int8[])) group by 1, 2 order by 1, 2 ${REPLACE}`,
            [minutes[0]!, minutes.at(-1)! + MINUTE_MS, minutes] as never[],
          );
          await tx.unsafe(
            `insert into rollup_1h ${COLUMNS} ${HOURS_FROM_MINUTES("rollup_1m")}
           where bucket >= $1 and bucket < $2 and bucket - bucket % ${HOUR_MS} in (select unnest($3::int8[])) group by 1, 2 order by 1, 2 ${REPLACE}`,
            [hours[0]!, hours.at(-1)! + HOUR_MS, hours] as never[],
          );
          return minutes.length;
        })
        .catch((e) => {
          partitions.forget(); // one may have been dropped by another replica's retention
          throw e;
        });
    },
  };
}
