import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Times are epoch ms in both dialects, so rows have one shape (see pg-schema.ts).

export const ruleStates = sqliteTable(
  "alarm_rule_states",
  {
    deviceId: text("device_id").notNull(),
    ruleId: text("rule_id").notNull(),
    deviceType: text("device_type").notNull(),
    status: text("status", { enum: ["idle", "pending", "active"] }).notNull(),
    since: integer("since").notNull(),
    value: real("value"),
    positionStream: text("position_stream"),
    positionOffset: integer("position_offset"),
    alarmId: text("alarm_id"),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.ruleId] })],
);

export const alarms = sqliteTable(
  "alarms",
  {
    id: text("id").primaryKey(),
    deviceId: text("device_id").notNull(),
    deviceType: text("device_type").notNull(),
    ruleId: text("rule_id").notNull(),
    ruleName: text("rule_name").notNull(),
    severity: text("severity", { enum: ["critical", "major", "minor", "warning"] }).notNull(),
    message: text("message").notNull(),
    value: real("value"),
    threshold: text("threshold").notNull(),
    raisedAt: integer("raised_at").notNull(),
    clearedAt: integer("cleared_at"),
    ackBy: text("ack_by"),
    ackAt: integer("ack_at"),
    ackNote: text("ack_note"),
  },
  (t) => [index("alarms_active").on(t.clearedAt, t.raisedAt), index("alarms_device").on(t.deviceId, t.raisedAt)],
);

export const alarmEvents = sqliteTable(
  "alarm_events",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    id: text("id").notNull().unique(),
    kind: text("kind", { enum: ["raised", "severity_changed", "cleared", "acknowledged"] }).notNull(),
    at: integer("at").notNull(),
    alarmId: text("alarm_id").notNull(),
    deviceId: text("device_id").notNull(),
    // The alarm as it was after the event (the event's payload), as JSON text.
    alarm: text("alarm").notNull(),
    published: integer("published", { mode: "boolean" }).notNull(),
  },
  (t) => [
    index("alarm_events_at").on(t.at),
    index("alarm_events_device_at").on(t.deviceId, t.at),
    index("alarm_events_published").on(t.published, t.seq),
  ],
);

export const devices = sqliteTable("alarm_devices", {
  deviceId: text("device_id").primaryKey(),
  deviceType: text("device_type").notNull(),
  lastSeen: integer("last_seen").notNull(),
});
