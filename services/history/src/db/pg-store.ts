/**
 * History in PostgreSQL (postgres-js; migrated by drizzle on open). Each batch is a few set-based
 * statements over `unnest` arrays inside one transaction; the points go in as one statement that
 * inserts the raw points and logs the minutes of those whose key was new. Roll-ups are computed
 * from raw afterwards (pg-rollups.ts): one index entry per point on the hot path instead of three.
 */
import { openMigratedPostgres } from "@iot/common/postgres";
import postgres from "postgres";
import type { TrendWindow } from "../points";
import { MINUTE_MS } from "../rollup";
import { createPartitions } from "./pg-partitions";
import { pgRangeSql } from "./pg-range-sql";
import { createRollups } from "./pg-rollups";
import { latestSql, type RangeRow, toBuckets } from "./range-sql";
import { createSeriesCache, seriesKey } from "./series-cache";
import { type HistoryStore, MIGRATIONS_TABLE } from "./store";

/** Any fixed number: held while migrating so replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 5_008_000;

type Tx = postgres.TransactionSql;

export async function openPgStore(url: string): Promise<HistoryStore> {
  const { client, db } = await openMigratedPostgres(url, {
    migrationsFolder: `${import.meta.dir}/migrations/pg`,
    migrationsTable: MIGRATIONS_TABLE,
    lockId: MIGRATION_LOCK,
  });
  const partitions = createPartitions(client);
  const known = createSeriesCache();

  const seriesIds = async (
    tx: Tx,
    items: Array<{ deviceId: string; metric: string }>,
    created: Map<string, number>,
  ) => {
    const missing = new Map<string, { deviceId: string; metric: string }>();
    for (const i of items) {
      const key = seriesKey(i.deviceId, i.metric);
      if (known.get(key) === undefined) missing.set(key, i);
    }
    if (missing.size > 0) {
      const devices = [...missing.values()].map((i) => i.deviceId);
      const metrics = [...missing.values()].map((i) => i.metric);
      await tx`insert into series (device_id, metric) select * from unnest(${devices}::text[], ${metrics}::text[]) order by 1, 2 on conflict do nothing`;
      const rows = await tx<
        { id: number; device_id: string; metric: string }[]
      >`select s.id, s.device_id, s.metric from series s
        join unnest(${devices}::text[], ${metrics}::text[]) as u(d, m) on s.device_id = u.d and s.metric = u.m`;
      for (const r of rows) created.set(seriesKey(r.device_id, r.metric), r.id);
    }
    return (deviceId: string, metric: string) => {
      const key = seriesKey(deviceId, metric);
      return (known.get(key) ?? created.get(key))!;
    };
  };

  const rollups = createRollups(client, partitions);
  // Device times are never before 1970 here (ingest refuses points older than the raw retention), so `ts % width` floors.
  const WRITE_POINTS = `with fresh as (
      insert into raw_points (series_id, ts, value) select * from unnest($1::int[], $2::int8[], $3::float8[])
      on conflict do nothing returning ts),
    logged as (insert into rollup_pending (bucket) select distinct ts - ts % ${MINUTE_MS} from fresh)
    select count(*)::int as stored from fresh`;

  return {
    kind: "postgres",
    async write(points, trends) {
      if (points.length === 0 && trends.length === 0) return { stored: 0, duplicates: 0 };
      const times = points.map((p) => p.ts);
      await partitions.ensure([
        ["raw", times],
        ["1m", times],
        ["1h", times],
        ["5m", trends.map((t) => t.ts)],
      ]);
      const created = new Map<string, number>();
      const stored = await client
        .begin(async (tx) => {
          const idOf = await seriesIds(tx, [...points, ...trends], created);
          const sids = points.map((p) => idOf(p.deviceId, p.metric));
          const [written] =
            points.length === 0
              ? [{ stored: 0 }]
              : await tx.unsafe<{ stored: number }[]>(WRITE_POINTS, [
                  sids,
                  times,
                  points.map((p) => p.value),
                ] as never[]);
          const windows = dedupeTrends(trends, idOf);
          if (windows.length > 0) {
            await tx.unsafe(
              `insert into trends_5m (series_id, bucket, avg, min, max, last)
             select * from unnest($1::int[], $2::int8[], $3::float8[], $4::float8[], $5::float8[], $6::float8[])
             on conflict (series_id, bucket) do update set avg = excluded.avg, min = excluded.min, max = excluded.max, last = excluded.last`,
              columns(windows, ["seriesId", "ts", "avg", "min", "max", "last"]),
            );
          }
          return written!.stored;
        })
        .catch((e) => {
          partitions.forget();
          throw e;
        });
      known.commit(created);
      return { stored, duplicates: points.length - stored };
    },
    async range({ deviceId, metric, level, from, to, width }) {
      const [series] = await client<
        { id: number }[]
      >`select id from series where device_id = ${deviceId} and metric = ${metric}`;
      if (!series) return [];
      const rows = await db.execute<RangeRow>(pgRangeSql(level, series.id, from, to, width));
      return toBuckets([...rows], level, from, width);
    },
    async latest(deviceId) {
      const rows = await db.execute<{ metric: string; ts: string; value: number }>(latestSql(deviceId));
      return [...rows].map((r) => ({ metric: r.metric, ts: Number(r.ts), value: r.value }));
    },
    async removeExpired(cutoffs) {
      // Raw points about to go must be in their roll-ups first (the job normally got there long before).
      await rollups.rollUp(cutoffs.raw);
      return partitions.dropExpired(cutoffs);
    },
    rollUp: (closedBefore) => rollups.rollUp(closedBefore),
    async ping() {
      await client`select 1`;
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** Column arrays for `unnest`, one per field. */
function columns<T>(rows: T[], fields: Array<keyof T>): postgres.ParameterOrJSON<never>[] {
  return fields.map((f) => rows.map((r) => r[f]) as never);
}

/** One upsert may not touch a row twice: a window repeated in a batch keeps its last copy. */
function dedupeTrends(trends: TrendWindow[], idOf: (d: string, m: string) => number) {
  const by = new Map<string, TrendWindow & { seriesId: number }>();
  for (const t of trends) {
    const seriesId = idOf(t.deviceId, t.metric);
    by.set(`${seriesId}:${t.ts}`, { ...t, seriesId });
  }
  return [...by.values()].sort((a, b) => a.seriesId - b.seriesId || a.ts - b.ts);
}
