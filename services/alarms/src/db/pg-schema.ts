import { bigint, boolean, doublePrecision, index, integer, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

// Times are epoch ms (bigint read as number) so rows have the SQLite schema's shape.
const ms = (name: string) => bigint(name, { mode: "number" });

export const ruleStates = pgTable(
  "alarm_rule_states",
  {
    deviceId: text("device_id").notNull(),
    ruleId: text("rule_id").notNull(),
    deviceType: text("device_type").notNull(),
    status: text("status", { enum: ["idle", "pending", "active"] }).notNull(),
    since: ms("since").notNull(),
    value: doublePrecision("value"),
    positionStream: text("position_stream"),
    positionOffset: bigint("position_offset", { mode: "number" }),
    alarmId: text("alarm_id"),
  },
  (t) => [primaryKey({ columns: [t.deviceId, t.ruleId] })],
);

export const alarms = pgTable(
  "alarms",
  {
    id: text("id").primaryKey(),
    deviceId: text("device_id").notNull(),
    deviceType: text("device_type").notNull(),
    ruleId: text("rule_id").notNull(),
    ruleName: text("rule_name").notNull(),
    severity: text("severity", { enum: ["critical", "major", "minor", "warning"] }).notNull(),
    message: text("message").notNull(),
    value: doublePrecision("value"),
    threshold: text("threshold").notNull(),
    raisedAt: ms("raised_at").notNull(),
    clearedAt: ms("cleared_at"),
    ackBy: text("ack_by"),
    ackAt: ms("ack_at"),
    ackNote: text("ack_note"),
  },
  (t) => [index("alarms_active").on(t.clearedAt, t.raisedAt), index("alarms_device").on(t.deviceId, t.raisedAt)],
);

export const alarmEvents = pgTable(
  "alarm_events",
  {
    seq: integer("seq").primaryKey().generatedByDefaultAsIdentity(),
    id: text("id").notNull().unique(),
    kind: text("kind", { enum: ["raised", "severity_changed", "cleared", "acknowledged"] }).notNull(),
    at: ms("at").notNull(),
    alarmId: text("alarm_id").notNull(),
    deviceId: text("device_id").notNull(),
    alarm: text("alarm").notNull(),
    published: boolean("published").notNull(),
  },
  (t) => [
    index("alarm_events_at").on(t.at),
    index("alarm_events_device_at").on(t.deviceId, t.at),
    index("alarm_events_published").on(t.published, t.seq),
  ],
);

export const devices = pgTable("alarm_devices", {
  deviceId: text("device_id").primaryKey(),
  deviceType: text("device_type").notNull(),
  lastSeen: ms("last_seen").notNull(),
});
