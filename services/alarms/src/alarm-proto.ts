/** Alarms and their events as protobuf messages (RPC and `PAYLOAD_FORMAT=protobuf` on `iot.alarms`). */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Severity } from "@iot/common/alarm-rules";
import { AlarmEventKind, AlarmEventSchema, AlarmSchema, Severity as SeverityPb } from "@gen/iot/alarms/v1/alarms_pb";
import type { Alarm, AlarmEvent, EventKind } from "./alarm";

export const SEVERITY_PB: Record<Severity, SeverityPb> = {
  critical: SeverityPb.CRITICAL,
  major: SeverityPb.MAJOR,
  minor: SeverityPb.MINOR,
  warning: SeverityPb.WARNING,
};
export const severityOfPb = (s: SeverityPb): Severity | undefined =>
  (Object.entries(SEVERITY_PB) as Array<[Severity, SeverityPb]>).find(([, v]) => v === s)?.[0];

const KIND_PB: Record<EventKind, AlarmEventKind> = {
  raised: AlarmEventKind.RAISED,
  severity_changed: AlarmEventKind.SEVERITY_CHANGED,
  cleared: AlarmEventKind.CLEARED,
  acknowledged: AlarmEventKind.ACKNOWLEDGED,
};

export const alarmPb = (a: Alarm) =>
  create(AlarmSchema, {
    id: a.id,
    deviceId: a.deviceId,
    deviceType: a.deviceType,
    ruleId: a.ruleId,
    ruleName: a.ruleName,
    severity: SEVERITY_PB[a.severity],
    message: a.message,
    ...(a.value !== null && { value: a.value }),
    threshold: a.threshold,
    raisedAt: timestampFromMs(a.raisedAt),
    ...(a.clearedAt !== null && { clearedAt: timestampFromMs(a.clearedAt) }),
    ...(a.ack && { acknowledgement: { by: a.ack.by, at: timestampFromMs(a.ack.at), note: a.ack.note } }),
  });

export const alarmEventPb = (e: AlarmEvent) =>
  create(AlarmEventSchema, { id: e.id, kind: KIND_PB[e.kind], at: timestampFromMs(e.at), alarm: alarmPb(e.alarm) });
