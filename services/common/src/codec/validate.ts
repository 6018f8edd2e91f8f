/** Checks a parsed JSON value against the device-event shape, returning it with a canonical timestamp. */
import type { DeviceEvent, MeasurementGroup, TrendPoint } from "../telemetry";
import { DecodeError } from "./decode-error";
import { canonicalTimestamp, checkEpochSeconds } from "./timestamp";

export const MAX_DEVICE_ID = 128;
// A Map, not an object literal: a device-supplied `event_type` such as "constructor" must not reach the prototype.
const TOP_LEVEL = new Map<unknown, Set<string>>([
  ["telemetry", new Set(["device_id", "device_type", "timestamp", "event_type", "measurements"])],
  ["trends", new Set(["device_id", "device_type", "timestamp", "event_type", "trends"])],
]);

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** `alsoAllowed`: top-level keys a wrapper adds (enriched events' blocks), accepted and not checked here. */
export function validateDeviceEvent(doc: unknown, alsoAllowed?: ReadonlySet<string>): DeviceEvent {
  if (!isObject(doc)) throw new DecodeError("not_an_object", `expected a JSON object, got ${describe(doc)}`);
  const id = doc.device_id;
  if (typeof id !== "string" || id.length === 0)
    throw new DecodeError("missing_device_id", "device_id: missing or not a non-empty string");
  if (id.length > MAX_DEVICE_ID)
    throw new DecodeError("invalid_field", `device_id: longer than ${MAX_DEVICE_ID} characters`);
  const type = doc.device_type ?? "";
  if (typeof type !== "string") throw new DecodeError("invalid_field", "device_type: expected a string");
  const eventType = doc.event_type ?? (doc.trends !== undefined ? "trends" : "telemetry");
  const allowed = TOP_LEVEL.get(eventType);
  if (!allowed)
    throw new DecodeError(
      "unknown_schema",
      `event_type: "${String(eventType).slice(0, 40)}" is not telemetry or trends`,
    );
  for (const k in doc)
    if (!allowed.has(k) && !alsoAllowed?.has(k))
      throw new DecodeError("unknown_schema", `unexpected field "${k.slice(0, 40)}" in a ${eventType} event`);
  const timestamp = canonicalTimestamp(doc.timestamp);
  if (eventType === "trends") {
    return { device_id: id, device_type: type, timestamp, event_type: "trends", trends: validateTrends(doc.trends) };
  }
  return {
    device_id: id,
    device_type: type,
    timestamp,
    event_type: "telemetry",
    measurements: validateMeasurements(doc.measurements),
  };
}

function validateMeasurements(m: unknown): Record<string, MeasurementGroup> {
  if (!isObject(m)) throw new DecodeError("unknown_schema", "measurements: expected an object of measurement groups");
  for (const group in m) {
    if (!isObject(m[group]))
      throw new DecodeError("unknown_schema", `measurements.${group.slice(0, 40)}: expected an object`);
  }
  return m as Record<string, MeasurementGroup>;
}

function validateTrends(list: unknown): TrendPoint[] {
  if (!Array.isArray(list)) throw new DecodeError("unknown_schema", "trends: expected a list");
  list.forEach((p, i) => {
    if (!isObject(p)) throw new DecodeError("unknown_schema", `trends[${i}]: expected an object`);
    if (typeof p.c !== "string" || p.c === "")
      throw new DecodeError("invalid_field", `trends[${i}].c: expected a metric name`);
    for (const f of ["v", "avg", "min", "max"] as const) {
      if (typeof p[f] !== "number" || !Number.isFinite(p[f]))
        throw new DecodeError("invalid_field", `trends[${i}].${f}: expected a number`);
    }
    if (!Number.isSafeInteger(p.t)) throw new DecodeError("invalid_field", `trends[${i}].t: expected epoch seconds`);
    checkEpochSeconds(p.t as number, `trends[${i}].t`);
    if (Object.keys(p).length !== 6)
      throw new DecodeError("unknown_schema", `trends[${i}]: expected exactly c, v, avg, min, max, t`);
  });
  return list as TrendPoint[];
}

function describe(v: unknown): string {
  return Array.isArray(v) ? "an array" : v === null ? "null" : typeof v;
}
