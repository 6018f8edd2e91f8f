import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { DEVICE_STATUSES } from "../devices/device";

export const devices = sqliteTable(
  "devices",
  {
    deviceId: text("device_id").primaryKey(),
    deviceType: text("device_type").notNull(),
    name: text("name").notNull(),
    // Filtered with json_extract; bounded by the labels rule (32 keys, 256-character values).
    labels: text("labels", { mode: "json" }).$type<Record<string, string>>().notNull(),
    status: text("status", { enum: DEVICE_STATUSES }).notNull(),
    tokenSha256: text("token_sha256").notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("devices_created_at_id").on(t.createdAt, t.deviceId), index("devices_device_type").on(t.deviceType)],
);
