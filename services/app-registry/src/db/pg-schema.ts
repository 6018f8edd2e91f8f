import { index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { PLATFORMS, STATUSES } from "@iot/common/wire";
import type { EventType } from "../application";

export const applications = pgTable(
  "applications",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    // See sqlite-schema.ts: the lower-cased name carries the case-insensitive unique index.
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
    webhookEventTypes: jsonb("webhook_event_types").$type<EventType[]>(),
    // Stored as is (not hashed): the delivery service must sign with it. Never part of an Application.
    webhookSecret: text("webhook_secret"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex("applications_name_key_unique").on(t.nameKey),
    index("applications_created_at_id").on(t.createdAt, t.id),
  ],
);

export const applicationDeviceTypes = pgTable(
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
