import { index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { DEVICE_STATUSES } from "../devices/device";

export const devices = pgTable(
  "devices",
  {
    deviceId: text("device_id").primaryKey(),
    deviceType: text("device_type").notNull(),
    name: text("name").notNull(),
    // Filtered with @> (see pg-device-repository.ts).
    labels: jsonb("labels").$type<Record<string, string>>().notNull(),
    status: text("status", { enum: DEVICE_STATUSES }).notNull(),
    tokenSha256: text("token_sha256").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
  },
  (t) => [index("devices_created_at_id").on(t.createdAt, t.deviceId), index("devices_device_type").on(t.deviceType)],
);
