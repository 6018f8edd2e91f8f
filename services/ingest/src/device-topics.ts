/** The topics devices publish to: `devices/{device_id}/telemetry` and `devices/{device_id}/trends`. */
export type EventKind = "telemetry" | "trends";

const TOPIC = /^devices\/([^/]+)\/(telemetry|trends)$/;

/** The device and kind a topic names, or undefined for any other topic. */
export function parseDeviceTopic(topic: string): { deviceId: string; kind: EventKind } | undefined {
  const m = TOPIC.exec(topic);
  return m ? { deviceId: m[1]!, kind: m[2] as EventKind } : undefined;
}

/** Whether `deviceId` may publish to `topic`: only to its own two topics. */
export function authorizeTopic(
  deviceId: string,
  topic: string,
): { ok: true; kind: EventKind } | { ok: false; reason: "system_topic" | "foreign_topic" } {
  if (topic.startsWith("$")) return { ok: false, reason: "system_topic" };
  const t = parseDeviceTopic(topic);
  return t && t.deviceId === deviceId ? { ok: true, kind: t.kind } : { ok: false, reason: "foreign_topic" };
}

/** The subscription a bridge makes on an existing broker, shared by every ingest replica in `group`. */
export const sharedSubscriptions = (group: string) => [
  `$share/${group}/devices/+/telemetry`,
  `$share/${group}/devices/+/trends`,
];
