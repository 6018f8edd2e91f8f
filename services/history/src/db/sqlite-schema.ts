/**
 * History in SQLite. Points are keyed by (series, time): a series is one device's metric, so rows
 * stay small (no repeated text) and a redelivered point hits its primary key instead of adding a
 * row. Times are epoch milliseconds. The point and roll-up tables are WITHOUT ROWID (see the
 * migration): the primary key is the table, which halves their size on disk.
 */
import { integer, primaryKey, real, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const series = sqliteTable(
  "series",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    deviceId: text("device_id").notNull(),
    metric: text("metric").notNull(),
  },
  (t) => [uniqueIndex("series_device_metric").on(t.deviceId, t.metric)],
);

export const rawPoints = sqliteTable(
  "raw_points",
  {
    seriesId: integer("series_id").notNull(),
    ts: integer("ts").notNull(),
    value: real("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.ts] })],
);

const rollupColumns = {
  seriesId: integer("series_id").notNull(),
  bucket: integer("bucket").notNull(),
  count: integer("count").notNull(),
  sum: real("sum").notNull(),
  min: real("min").notNull(),
  max: real("max").notNull(),
  last: real("last").notNull(),
  lastTs: integer("last_ts").notNull(),
};

export const rollupMinute = sqliteTable("rollup_1m", rollupColumns, (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
]);
export const rollupHour = sqliteTable("rollup_1h", rollupColumns, (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
]);

export const trends = sqliteTable(
  "trends_5m",
  {
    seriesId: integer("series_id").notNull(),
    bucket: integer("bucket").notNull(),
    avg: real("avg").notNull(),
    min: real("min").notNull(),
    max: real("max").notNull(),
    last: real("last").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.bucket] })],
);
