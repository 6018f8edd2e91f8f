/** What both stores share: row ↔ model mapping and multi-row upserts. */
import { type Column, getTableColumns, sql, type SQL, type Table } from "drizzle-orm";
import type { Alarm, AlarmEvent, DeviceSeen, RuleState } from "../alarm";
import type { alarmEvents, alarms, devices, ruleStates } from "./sqlite-schema";

/** Our own bookkeeping table, so another service's migrations in the same database never collide. */
export const MIGRATIONS_TABLE = "__alarms_migrations";

/** Identical in both dialects (the pg schema mirrors these types). */
export type RuleStateRow = typeof ruleStates.$inferSelect;
export type AlarmRow = typeof alarms.$inferSelect;
export type EventRow = typeof alarmEvents.$inferInsert;
export type DeviceRow = typeof devices.$inferSelect;

export const stateRow = (s: RuleState): RuleStateRow => ({
  deviceId: s.deviceId,
  ruleId: s.ruleId,
  deviceType: s.deviceType,
  status: s.status,
  since: s.since,
  value: s.value,
  positionStream: s.position?.stream ?? null,
  positionOffset: s.position?.offset ?? null,
  alarmId: s.alarmId,
});

export const stateOf = (r: RuleStateRow): RuleState => ({
  deviceId: r.deviceId,
  ruleId: r.ruleId,
  deviceType: r.deviceType,
  status: r.status,
  since: Number(r.since),
  value: r.value,
  position:
    r.positionStream === null || r.positionOffset === null
      ? null
      : { stream: r.positionStream, offset: Number(r.positionOffset) },
  alarmId: r.alarmId,
});

export const alarmRow = (a: Alarm): AlarmRow => ({
  id: a.id,
  deviceId: a.deviceId,
  deviceType: a.deviceType,
  ruleId: a.ruleId,
  ruleName: a.ruleName,
  severity: a.severity,
  message: a.message,
  value: a.value,
  threshold: a.threshold,
  raisedAt: a.raisedAt,
  clearedAt: a.clearedAt,
  ackBy: a.ack?.by ?? null,
  ackAt: a.ack?.at ?? null,
  ackNote: a.ack?.note ?? null,
});

export const alarmOf = (r: AlarmRow): Alarm => ({
  id: r.id,
  deviceId: r.deviceId,
  deviceType: r.deviceType,
  ruleId: r.ruleId,
  ruleName: r.ruleName,
  severity: r.severity,
  message: r.message,
  value: r.value,
  threshold: r.threshold,
  raisedAt: Number(r.raisedAt),
  clearedAt: r.clearedAt === null ? null : Number(r.clearedAt),
  ack: r.ackBy === null || r.ackAt === null ? null : { by: r.ackBy, at: Number(r.ackAt), note: r.ackNote ?? "" },
});

export const eventRow = (e: AlarmEvent): EventRow => ({
  id: e.id,
  kind: e.kind,
  at: e.at,
  alarmId: e.alarm.id,
  deviceId: e.alarm.deviceId,
  alarm: JSON.stringify(e.alarm),
  published: false,
});

export const eventOf = (r: { id: string; kind: AlarmEvent["kind"]; at: number; alarm: string }): AlarmEvent => ({
  id: r.id,
  kind: r.kind,
  at: Number(r.at),
  alarm: JSON.parse(r.alarm) as Alarm,
});

export const deviceRow = (d: DeviceSeen): DeviceRow => ({ ...d });
export const deviceOf = (r: DeviceRow): DeviceSeen => ({ ...r, lastSeen: Number(r.lastSeen) });

/** `set` for a multi-row upsert: every column but the key takes the incoming row's value. */
export function excluded(table: Table, key: string[]): Record<string, SQL> {
  const cols = Object.entries(getTableColumns(table)) as Array<[string, Column]>;
  return Object.fromEntries(
    cols.filter(([k]) => !key.includes(k)).map(([k, c]) => [k, sql.raw(`excluded."${c.name}"`)]),
  );
}

/** Keeps each statement's bound parameters well under both databases' limits. */
export const chunks = <T>(items: T[], size = 500): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
