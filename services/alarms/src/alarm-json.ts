/**
 * Alarms and their events in JSON (the `iot.alarms` payload and the REST API): snake_case, times in
 * RFC 3339 UTC like every other payload on the platform.
 */
import { timestampNow } from "@iot/common/codec";
import type { Alarm, AlarmEvent } from "./alarm";

const time = (ms: number) => timestampNow(ms);

export interface AlarmJson {
  id: string;
  device_id: string;
  device_type: string;
  rule_id: string;
  rule_name: string;
  severity: string;
  status: "active" | "cleared";
  message: string;
  value: number | null;
  threshold: string;
  raised_at: string;
  cleared_at: string | null;
  acknowledgement: { by: string; at: string; note: string } | null;
}

export interface AlarmEventJson {
  id: string;
  kind: string;
  at: string;
  alarm: AlarmJson;
}

export const alarmJson = (a: Alarm): AlarmJson => ({
  id: a.id,
  device_id: a.deviceId,
  device_type: a.deviceType,
  rule_id: a.ruleId,
  rule_name: a.ruleName,
  severity: a.severity,
  status: a.clearedAt === null ? "active" : "cleared",
  message: a.message,
  value: a.value,
  threshold: a.threshold,
  raised_at: time(a.raisedAt),
  cleared_at: a.clearedAt === null ? null : time(a.clearedAt),
  acknowledgement: a.ack && { by: a.ack.by, at: time(a.ack.at), note: a.ack.note },
});

export const alarmEventJson = (e: AlarmEvent): AlarmEventJson => ({
  id: e.id,
  kind: e.kind,
  at: time(e.at),
  alarm: alarmJson(e.alarm),
});
