/**
 * History in PostgreSQL (postgres-js; migrated by drizzle on open). Each batch is a few set-based
 * statements over `unnest` arrays inside one transaction; the points go in as one row per device
 * message (pg-messages.ts) in one statement that also logs the minutes of the rows that were new.
 * Roll-ups are computed from raw afterwards (pg-rollups.ts): one index entry per message on the
 * hot path instead of three per point.
 */
import { openMigratedPostgres } from "@iot/common/postgres";
import postgres from "postgres";
import type { Point, TrendWindow } from "../points";
import { MINUTE_MS } from "../rollup";
import { createPartitions } from "./pg-partitions";
import { type MessageRows, toMessageRows } from "./pg-messages";
import { NEWEST_RAW_MESSAGE, pgRangeRead, type RangeAnswer, rangeRows, seriesLookup } from "./pg-range-sql";
import { createRollups } from "./pg-rollups";
import { latestSql, toBuckets } from "./range-sql";
import { createSeriesCache, createSeriesIds, type SeriesIds } from "./series-cache";
import { type HistoryStore, MIGRATIONS_TABLE } from "./store";

/** Any fixed number: held while migrating so replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 5_008_000;

type Tx = postgres.TransactionSql;

/**
 * The write statements are fixed text: prepared once per connection, a batch skips the parse,
 * plan and describe round of an unprepared `unsafe` (its ParameterDescription reply made the
 * client write each statement twice).
 */
const PREPARED = { prepare: true };

export async function openPgStore(url: string): Promise<HistoryStore> {
  const { client, db } = await openMigratedPostgres(url, {
    migrationsFolder: `${import.meta.dir}/migrations/pg`,
    migrationsTable: MIGRATIONS_TABLE,
    lockId: MIGRATION_LOCK,
  });
  const partitions = createPartitions(client);
  const known = createSeriesCache();

  /** The series id of each item, in order; series new to the database are added (in `tx`) and noted in `created`. */
  const seriesIds = async (
    tx: Tx,
    items: ReadonlyArray<{ deviceId: string; metric: string }>,
    created: SeriesIds,
  ): Promise<number[]> => {
    const ids = new Array<number>(items.length);
    const unresolved: number[] = [];
    const missing = createSeriesIds();
    const devices: string[] = [];
    const metrics: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const { deviceId, metric } = items[i]!;
      const id = known.get(deviceId, metric) ?? created.get(deviceId, metric);
      if (id !== undefined) {
        ids[i] = id;
        continue;
      }
      unresolved.push(i);
      if (missing.get(deviceId, metric) !== undefined) continue;
      missing.set(deviceId, metric, 0);
      devices.push(deviceId);
      metrics.push(metric);
    }
    if (devices.length === 0) return ids;
    await tx`insert into series (device_id, metric) select * from unnest(${devices}::text[], ${metrics}::text[]) order by 1, 2 on conflict do nothing`;
    const rows = await tx<
      { id: number; device_id: string; metric: string }[]
    >`select s.id, s.device_id, s.metric from series s
      join unnest(${devices}::text[], ${metrics}::text[]) as u(d, m) on s.device_id = u.d and s.metric = u.m`;
    for (const r of rows) created.set(r.device_id, r.metric, r.id);
    for (const i of unresolved) ids[i] = created.get(items[i]!.deviceId, items[i]!.metric)!;
    return ids;
  };

  const rollups = createRollups(client, partitions);
  // Device times are never before 1970 here (ingest refuses points older than the raw retention), so `ts % width` floors.
  const logMinutes = (rows: string) =>
    `logged as (insert into rollup_pending (bucket) select distinct ts - ts % ${MINUTE_MS} from ${rows})`;
  // $1 devices, $2 times, $3 and $4 every row's series ids and values, $5 and $6 each row's offset and count in them.
  const INPUT = `(select d, t, ($3::int4[])[o + 1 : o + n] as s, ($4::float8[])[o + 1 : o + n] as v
    from unnest($1::text[], $2::int8[], $5::int4[], $6::int4[]) as u(d, t, o, n)) as i`;
  const INSERT_MESSAGES = `with fresh as (
      insert into raw_messages (device_id, ts, series_ids, readings) select d, t, s, v from ${INPUT}
      on conflict do nothing returning ts, cardinality(series_ids) as n),
    ${logMinutes("fresh")}
    select count(*)::int as rows, coalesce(sum(n), 0)::int as stored from fresh`;
  // A message whose (device, time) is stored already: a redelivery (nothing to add), or another
  // message of the same instant whose series are added to the row. Locked first, so the merge
  // reads the row as it is.
  const LOCK_MESSAGES = `select 1 from raw_messages r join unnest($1::text[], $2::int8[]) as i(d, t)
    on r.device_id = i.d and r.ts = i.t order by r.device_id, r.ts for update of r`;
  const MERGE_MESSAGES = `with added as (
      select i.d, i.t, array_agg(u.s order by u.o) as s, array_agg(u.v order by u.o) as v from ${INPUT}
      join raw_messages r on r.device_id = i.d and r.ts = i.t
      cross join lateral unnest(i.s, i.v) with ordinality as u(s, v, o)
      where u.s <> all(r.series_ids) group by 1, 2),
    merged as (update raw_messages r set series_ids = r.series_ids || a.s, readings = r.readings || a.v
      from added a where r.device_id = a.d and r.ts = a.t returning r.ts, cardinality(a.s) as n),
    ${logMinutes("merged")}
    select coalesce(sum(n), 0)::int as stored from merged`;

  const writeMessages = async (tx: Tx, rows: MessageRows) => {
    const input = [rows.devices, rows.times, rows.seriesIds, rows.readings, rows.offsets, rows.counts] as never[];
    const [inserted] = await tx.unsafe<{ rows: number; stored: number }[]>(INSERT_MESSAGES, input, PREPARED);
    if (inserted!.rows === rows.devices.length) return inserted!.stored;
    await tx.unsafe(LOCK_MESSAGES, input.slice(0, 2), PREPARED);
    const [merged] = await tx.unsafe<{ stored: number }[]>(MERGE_MESSAGES, input, PREPARED);
    return inserted!.stored + merged!.stored;
  };

  return {
    kind: "postgres",
    async write(points, trends) {
      if (points.length === 0 && trends.length === 0) return { stored: 0, duplicates: 0 };
      await partitions.ensure([
        ["raw", messageTimes(points)],
        ["5m", trends.map((t) => t.ts)],
      ]);
      const created = createSeriesIds();
      const stored = await client
        .begin(async (tx) => {
          const written =
            points.length === 0
              ? 0
              : await writeMessages(tx, toMessageRows(points, await seriesIds(tx, points, created)));
          const windows = trends.length === 0 ? [] : dedupeTrends(trends, await seriesIds(tx, trends, created));
          if (windows.length > 0) {
            await tx.unsafe(
              `insert into trends_5m (series_id, bucket, avg, min, max, last)
             select * from unnest($1::int[], $2::int8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[])
             on conflict (series_id, bucket) do update set avg = excluded.avg, min = excluded.min, max = excluded.max, last = excluded.last`,
              columns(windows, ["seriesId", "ts", "avg", "min", "max", "last"]),
              PREPARED,
            );
          }
          return written;
        })
        .catch((e) => {
          partitions.forget();
          throw e;
        });
      known.commit(created);
      return { stored, duplicates: points.length - stored };
    },
    async range({ deviceId, metric, level, from, to, width }) {
      const lookup = seriesLookup(level, deviceId, metric, from, to);
      const [series] = await client.unsafe<{ id: number; pending: string[]; minutes: string[] }[]>(
        lookup.text,
        lookup.params as never[],
        { prepare: true },
      );
      if (!series) return [];
      const pending = { pending: series.pending.map(Number), minutes: series.minutes.map(Number) };
      const read = pgRangeRead(level, { deviceId, seriesId: series.id }, { from, to, width }, pending);
      const answer = read.simple
        ? ((await client.unsafe(read.text).simple()) as unknown as RangeAnswer[]).at(-1)!
        : await client.unsafe<RangeAnswer>(read.text, read.params as never[]);
      return toBuckets(rangeRows(answer), level, from, width).sort((a, b) => a.t - b.t);
    },
    async latest(deviceId) {
      const rows = await db.execute<{ metric: string; ts: string; value: number }>(
        latestSql(deviceId, NEWEST_RAW_MESSAGE),
      );
      return [...rows].map((r) => ({ metric: r.metric, ts: Number(r.ts), value: r.value }));
    },
    async removeExpired(cutoffs) {
      // Raw points about to go must be in their minutes first, and minutes about to go in their hours
      // (the job normally got there long before).
      await rollups.rollUp(Math.max(cutoffs.raw, cutoffs["1m"]));
      return partitions.dropExpired(cutoffs);
    },
    rollUp: (closedBefore) => rollups.rollUp(closedBefore),
    async ping() {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** The points' times, once per message (a message's points are adjacent and share its time): what picks their partitions. */
function messageTimes(points: Point[]): number[] {
  const times: number[] = [];
  let last = Number.NaN;
  for (const p of points) if (p.ts !== last) times.push((last = p.ts));
  return times;
}

/** Column arrays for `unnest`, one per field. */
function columns<T>(rows: T[], fields: Array<keyof T>): postgres.ParameterOrJSON<never>[] {
  return fields.map((f) => rows.map((r) => r[f]) as never);
}

/** One upsert may not touch a row twice: a window repeated in a batch keeps its last copy. */
function dedupeTrends(trends: TrendWindow[], ids: number[]) {
  const by = new Map<string, TrendWindow & { seriesId: number }>();
  for (const [i, t] of trends.entries()) {
    const seriesId = ids[i]!;
    by.set(`${seriesId}:${t.ts}`, { ...t, seriesId });
  }
  return [...by.values()].sort((a, b) => a.seriesId - b.seriesId || a.ts - b.ts);
}
