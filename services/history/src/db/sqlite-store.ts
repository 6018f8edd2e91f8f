/**
 * History in a SQLite file (bun:sqlite, migrated by drizzle on open). The write path uses prepared
 * statements inside one transaction: tens of thousands of points a second are more than a query
 * builder's per-row cost allows. bun:sqlite is synchronous on one connection, so a transaction
 * runs start to finish without another request in between.
 */
import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import type { Point, TrendWindow } from "../points";
import { foldRollups, HOUR_MS, MINUTE_MS, type Rollup, type StoredPoint } from "../rollup";
import { LEVEL_TABLES, latestSql, toBuckets } from "./range-sql";
import { createSqliteRange } from "./sqlite-range";
import { createSeriesCache, createSeriesIds, type SeriesIds } from "./series-cache";
import { type HistoryStore, type Latest, type Level, LEVELS, MIGRATIONS_TABLE } from "./store";

/** Series per retention step: small enough that a batch write never waits long behind it. */
const RETENTION_CHUNK = 200;

const upsertRollup = (table: string) => `insert into ${table} (series_id, bucket, count, sum, min, max, last, last_ts)
  values (?, ?, ?, ?, ?, ?, ?, ?)
  on conflict (series_id, bucket) do update set count = count + excluded.count, sum = sum + excluded.sum,
    min = min(min, excluded.min), max = max(max, excluded.max),
    last = case when excluded.last_ts >= last_ts then excluded.last else last end, last_ts = max(last_ts, excluded.last_ts)`;

export function openSqliteStore(path: string): HistoryStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const client = new Database(path, { create: true, strict: true });
  client.exec("PRAGMA journal_mode = WAL");
  client.exec("PRAGMA synchronous = NORMAL"); // WAL + NORMAL: a commit survives a process crash (an OS crash may lose the last ones)
  client.exec("PRAGMA busy_timeout = 5000");
  const db = drizzle({ client });
  migrate(db, { migrationsFolder: `${import.meta.dir}/migrations/sqlite`, migrationsTable: MIGRATIONS_TABLE });

  const q = {
    findSeries: client.prepare<{ id: number }, [string, string]>(
      "select id from series where device_id = ? and metric = ?",
    ),
    addSeries: client.prepare<{ id: number }, [string, string]>(
      "insert into series (device_id, metric) values (?, ?) returning id",
    ),
    insertRaw: client.prepare("insert into raw_points (series_id, ts, value) values (?, ?, ?) on conflict do nothing"),
    upsert1m: client.prepare(upsertRollup("rollup_1m")),
    upsert1h: client.prepare(upsertRollup("rollup_1h")),
    trend: client.prepare(`insert into trends_5m (series_id, bucket, avg, min, max, last) values (?, ?, ?, ?, ?, ?)
      on conflict (series_id, bucket) do update set avg = excluded.avg, min = excluded.min, max = excluded.max, last = excluded.last`),
    seriesIds: client.prepare<{ id: number }, [number, number]>(
      "select id from series where id > ? order by id limit ?",
    ),
  };

  const readRange = createSqliteRange(client);
  const known = createSeriesCache();
  const idOf = (deviceId: string, metric: string, created: SeriesIds) => {
    let id = known.get(deviceId, metric) ?? created.get(deviceId, metric);
    if (id === undefined) {
      id = (q.findSeries.get(deviceId, metric) ?? q.addSeries.get(deviceId, metric))!.id;
      created.set(deviceId, metric, id);
    }
    return id;
  };
  const applyRollups = (stmt: typeof q.upsert1m, rows: Rollup[]) => {
    for (const r of rows) stmt.run(r.seriesId, r.bucket, r.count, r.sum, r.min, r.max, r.last, r.lastTs);
  };

  const writeTx = client.transaction((points: Point[], trends: TrendWindow[], created: SeriesIds) => {
    const fresh: StoredPoint[] = [];
    for (const p of points) {
      const seriesId = idOf(p.deviceId, p.metric, created);
      if (q.insertRaw.run(seriesId, p.ts, p.value).changes === 1) fresh.push({ seriesId, ts: p.ts, value: p.value });
    }
    applyRollups(q.upsert1m, foldRollups(fresh, MINUTE_MS));
    applyRollups(q.upsert1h, foldRollups(fresh, HOUR_MS));
    for (const t of trends) q.trend.run(idOf(t.deviceId, t.metric, created), t.ts, t.avg, t.min, t.max, t.last);
    return fresh.length;
  });

  return {
    kind: "sqlite",
    async write(points, trends) {
      const created = createSeriesIds();
      const stored = writeTx(points, trends, created);
      known.commit(created);
      return { stored, duplicates: points.length - stored };
    },
    async range({ deviceId, metric, level, from, to, width }) {
      const series = q.findSeries.get(deviceId, metric);
      if (!series) return [];
      return toBuckets(readRange(level, series.id, from, to, width), level, from, width);
    },
    latest: async (deviceId) => db.all<Latest>(latestSql(deviceId)),
    rollUp: async () => ({ minutes: 0, hours: 0 }),
    async removeExpired(cutoffs) {
      // Per series through the primary key, a chunk at a time, yielding between chunks so writes interleave.
      let removed = 0;
      for (let after = 0; ; ) {
        const ids = q.seriesIds.all(after, RETENTION_CHUNK).map((r) => r.id);
        if (ids.length === 0) return removed;
        client.transaction(() => {
          for (const level of LEVELS) {
            const { table, key } = LEVEL_TABLES[level as Level];
            const del = client.prepare(`delete from ${table} where series_id = ? and ${key} < ?`);
            for (const id of ids) removed += del.run(id, cutoffs[level as Level]).changes;
          }
        })();
        after = ids[ids.length - 1]!;
        await Bun.sleep(0);
      }
    },
    async ping() {
      client.query("select 1").get();
    },
    async close() {
      client.close();
    },
  };
}
