/**
 * History in PostgreSQL: the tables of sqlite-schema.ts, but raw points stored a message per row,
 * plus the roll-up job's logs. The raw, roll-up and trend tables are range-partitioned by time (see the
 * migrations; drizzle-kit cannot express PARTITION BY), so retention drops whole partitions
 * instead of deleting rows under the writers. Roll-ups are computed from raw points after the write (pg-rollups.ts); the BRIN indexes
 * on time let that job read one minute or hour of every series at almost no cost per insert.
 */
import { bigint, doublePrecision, index, integer, pgTable, primaryKey, text, uniqueIndex } from "drizzle-orm/pg-core";

export const series = pgTable(
  "series",
  {
    id: integer("id").primaryKey().generatedByDefaultAsIdentity(),
    deviceId: text("device_id").notNull(),
    metric: text("metric").notNull(),
  },
  (t) => [uniqueIndex("series_device_metric").on(t.deviceId, t.metric)],
);

/**
 * Raw points, one row per device message: the ids of its series and their values at the same index.
 * About twelve times fewer rows and index entries than a row per point (the default fleet mix
 * carries ~12 numbers a message), which is what makes PostgreSQL keep up; a single-metric read
 * picks its element. The key (device, time) is what makes a redelivered message change nothing.
 */
export const rawMessages = pgTable(
  "raw_messages",
  {
    deviceId: text("device_id").notNull(),
    ts: bigint("ts", { mode: "number" }).notNull(),
    seriesIds: integer("series_ids").array().notNull(),
    readings: doublePrecision("readings").array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.ts] }), index("raw_messages_ts_brin").using("brin", t.ts)],
);

/**
 * Minutes (epoch ms) holding raw points not yet folded into the roll-ups: appended by each write in
 * its own transaction, taken by the roll-up job in its. No key, so concurrent writers never wait on
 * each other's rows; the job folds duplicates.
 */
export const rollupPending = pgTable("rollup_pending", {
  bucket: bigint("bucket", { mode: "number" }).notNull(),
});

/**
 * Hours (epoch ms) whose minutes the roll-up job recomputed since the hour's own roll-ups were: logged
 * by the job as it rolls up minutes, taken once the hour has ended. Same shape as `rollup_pending`.
 */
export const rollupPendingHours = pgTable("rollup_pending_1h", {
  bucket: bigint("bucket", { mode: "number" }).notNull(),
});

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

/**
 * Roll-ups: the primary key also INCLUDEs count, sum, min, max and last (migration 0003; drizzle cannot
 * say so), so a range read scans one series' adjacent key entries instead of a table page per row.
 */
export const rollupMinute = pgTable("rollup_1m", rollupColumns(), (t) => [
  primaryKey({ columns: [t.seriesId, t.bucket] }),
  index("rollup_1m_bucket_brin").using("brin", t.bucket),
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
