import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { PLATFORMS, STATUSES } from "@iot/common/wire";
import type { EventType } from "../application";

export const applications = sqliteTable(
  "applications",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // lower-cased name: uniqueness is case-insensitive, enforced by the database so concurrent
    // registrations cannot both win, and identical in both dialects (SQLite lower() is ASCII-only).
    nameKey: text("name_key").notNull(),
    description: text("description"),
    version: text("version").notNull(),
    developer: text("developer").notNull(),
    contactEmail: text("contact_email").notNull(),
    category: text("category"),
    platform: text("platform", { enum: PLATFORMS }),
    status: text("status", { enum: STATUSES }).notNull(),
    apiKeyHash: text("api_key_hash").notNull(),
    webhookUrl: text("webhook_url"),
    webhookEventTypes: text("webhook_event_types", { mode: "json" }).$type<EventType[]>(),
    // Stored as is (not hashed): the delivery service must sign with it. Never part of an Application.
    webhookSecret: text("webhook_secret"),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [
    uniqueIndex("applications_name_key_unique").on(t.nameKey),
    index("applications_created_at_id").on(t.createdAt, t.id),
  ],
);

export const applicationDeviceTypes = sqliteTable(
  "application_device_types",
  {
    applicationId: text("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    deviceType: text("device_type").notNull(),
    position: integer("position").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.applicationId, t.deviceType] }),
    index("application_device_types_device_type").on(t.deviceType, t.applicationId),
  ],
);
