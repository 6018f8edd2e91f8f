/**
 * Roll-ups in PostgreSQL, computed set-based from the raw points after they are written instead of
 * upserted for every point: the way TimescaleDB's continuous aggregates work (an invalidation log
 * written with the data, and a refresh that recomputes the invalidated buckets).
 *
 * A write inserts raw messages and appends the minutes they fall in to `rollup_pending`, in its own
 * transaction: a crash loses neither. `rollUp` takes the log, recomputes each logged minute that
 * has ended from every series' raw points, replaces what was stored and logs the minute's hour in
 * `rollup_pending_1h`; then it takes the logged hours that have ended and recomputes each from its
 * minutes. An hour is recomputed once it has ended, not on every run that touched one of its
 * minutes: a run every 5 s re-read every series' minutes of the current hour so far, ~30 minute rows
 * per series and run where the run rolls up one or two. A recompute is idempotent by construction:
 * a redelivered point adds no raw row, and running the job twice stores the same figures. A point
 * written while the job runs appends a log row the job did not take (its snapshot predates it), so
 * that minute is simply rolled up again on the next run. Until a minute or hour is rolled up,
 * queries compute it with the same SQL (pg-range-sql.ts), so a chart does not change when the job
 * catches up.
 */
import type { Sql, TransactionSql } from "postgres";
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

/** The buckets (epoch ms, ascending) taken from a log: those that ended by `closedBefore`. */
const take = async (tx: TransactionSql, log: string, width: number, closedBefore: number) =>
  (
    await tx.unsafe<{ bucket: string }[]>(
      `with t as (delete from ${log} where bucket + ${width} <= $1 returning bucket) select distinct bucket from t order by 1`,
      [closedBefore],
    )
  ).map((r) => Number(r.bucket));

export function createRollups(client: Sql, partitions: ReturnType<typeof createPartitions>) {
  return {
    /** Rolls up every logged minute, then hour, that ended by `closedBefore` (epoch ms); returns how many of each. */
    async rollUp(closedBefore: number): Promise<{ minutes: number; hours: number }> {
      const [due] = await client<{ due: boolean }[]>`select
        exists (select 1 from rollup_pending where bucket + ${MINUTE_MS} <= ${closedBefore})
        or exists (select 1 from rollup_pending_1h where bucket + ${HOUR_MS} <= ${closedBefore}) as due`;
      if (!due!.due) return { minutes: 0, hours: 0 };
      return client
        .begin(async (tx) => {
          await tx`select pg_advisory_xact_lock(${ROLLUP_LOCK})`;
          const minutes = await take(tx, "rollup_pending", MINUTE_MS, closedBefore);
          // The hours to recompute now: those logged that have ended, and the ended hours of the
          // minutes taken (their hours still open are logged instead). An ended hour's minutes have
          // ended, so all that were logged are taken here; one written since logs its minute again.
          const open = new Set<number>();
          const hours = new Set(await take(tx, "rollup_pending_1h", HOUR_MS, closedBefore));
          for (const m of minutes) {
            const hour = m - (m % HOUR_MS);
            (hour + HOUR_MS <= closedBefore ? hours : open).add(hour);
          }
          const ended = [...hours].sort((a, b) => a - b);
          // Created first, on another connection under the partition lock: once this transaction has
          // read raw_messages, a writer creating a raw partition under that lock would wait for it
          // while it waited for the lock.
          await partitions.ensure([
            ["1m", minutes],
            ["1h", ended],
          ]);
          // The time ranges keep the reads on the BRIN indexes; the lists pick the buckets inside them
          // (`in (select unnest …)` is a hash lookup; `= any(…)` would scan the list for every row).
          if (minutes.length > 0) {
            await tx.unsafe(
              `with stored as (insert into rollup_1m ${COLUMNS} ${MINUTES_FROM_RAW}
             where ts >= $1 and ts < $2 and ts - ts % ${MINUTE_MS} in (select unnest($3::int8[])) group by 1, 2 order by 1, 2 ${REPLACE})
             insert into rollup_pending_1h (bucket) select unnest($4::int8[])`,
              [minutes[0]!, minutes.at(-1)! + MINUTE_MS, minutes, [...open]] as never[],
            );
          }
          if (ended.length > 0) {
            await tx.unsafe(
              `insert into rollup_1h ${COLUMNS} ${HOURS_FROM_MINUTES("rollup_1m")}
             where bucket >= $1 and bucket < $2 and bucket - bucket % ${HOUR_MS} in (select unnest($3::int8[])) group by 1, 2 order by 1, 2 ${REPLACE}`,
              [ended[0]!, ended.at(-1)! + HOUR_MS, ended] as never[],
            );
          }
          return { minutes: minutes.length, hours: ended.length };
        })
        .catch((e) => {
          partitions.forget(); // one may have been dropped by another replica's retention
          throw e;
        });
    },
  };
}
