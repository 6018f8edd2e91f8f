/**
 * History in PostgreSQL: the same tables as sqlite-schema.ts. The point, roll-up and trend tables
 * are range-partitioned by time (see the migration; drizzle-kit cannot express PARTITION BY), so
 * retention drops whole partitions instead of deleting rows under the writers.
 */
import { bigint, doublePrecision, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

export const series = pgTable(
  "series",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    deviceId: text("device_id").notNull(),
    metric: text("metric").notNull(),
  },
  (t) => [uniqueIndex("series_device_metric").on(t.deviceId, t.metric)],
);

export const rawPoints = pgTable(
  "raw_points",
  {
    seriesId: integer("series_id").notNull(),
    ts: bigint("ts", { mode: "number" }).notNull(),
    value: doublePrecision("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.ts] })],
);

const rollupColumns = () => ({
  seriesId: integer("series_id").notNull(),
  bucket: bigint("bucket", { mode: "number" }).notNull(),
  count: integer("count").notNull(),
  sum: doublePrecision("sum").notNull(),
  min: doublePrecision("min").notNull(),
  max: doublePrecision("max").notNull(),
  last: doublePrecision("last").notNull(),
  lastTs: bigint("last_ts", { mode: "number" }).notNull(),
});

export const rollupMinute = pgTable("rollup_1m", rollupColumns(), (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
]);
export const rollupHour = pgTable("rollup_1h", rollupColumns(), (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
]);

export const trends = pgTable(
  "trends_5m",
  {
    seriesId: integer("series_id").notNull(),
    bucket: bigint("bucket", { mode: "number" }).notNull(),
    avg: doublePrecision("avg").notNull(),
    min: doublePrecision("min").notNull(),
    max: doublePrecision("max").notNull(),
    last: doublePrecision("last").notNull(),
  },
  (t) => [primaryKey({ columns: [t.seriesId, t.bucket] })],
);
