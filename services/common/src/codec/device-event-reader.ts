/**
 * A protobuf DeviceEvent straight from its bytes to our JSON-shaped DeviceEvent, walking the wire once:
 * what deviceEventFromProto(fromBinary(DeviceEventSchema, bytes)) returns, for about a quarter of its
 * CPU (enrichment decodes every raw record). It keeps protobuf-es's reading rules (wire-reader.ts reads
 * the bytes as its BinaryReader does): unknown fields skipped, the last scalar wins, a repeated message
 * merges, the last oneof case wins, a known field read by its type whatever its wire type. It reads
 * the whole record before mapping it, so errors come in the old order: malformed bytes first, then the
 * mapping's reasons.
 */
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { DeviceEventSchema, TelemetrySchema, TrendPointSchema, TrendsSchema } from "@gen/iot/telemetry/v1/events_pb";
import { MeasurementsSchema } from "@gen/iot/telemetry/v1/measurements_pb";
import type { DeviceEvent, TrendPoint } from "../telemetry";
import { DecodeError, malformedProtobuf } from "./decode-error";
import { createMeasurementsReader, groupsOf, type MeasurementsCase } from "./measurements-reader";
import { checkEpochSeconds, fromProtoTime } from "./timestamp";
import { WireReader } from "./wire-reader";
import { enter, FALLBACK, skip } from "./wire-walk";

const EVENT = DeviceEventSchema.field;
const TELEMETRY = TelemetrySchema.field;
const TRENDS = TrendsSchema.field;
const POINT = TrendPointSchema.field;
const TIME = TimestampSchema.field;
const readMeasurements = createMeasurementsReader(MeasurementsSchema);

/** A Timestamp as read: seconds as the number deviceEventFromProto makes of the bigint. */
interface Time {
  seconds: number;
  nanos: number;
}

/** Telemetry or Trends as read so far; both start with the same three fields. */
interface Body {
  no: number;
  deviceId: string;
  deviceType: string;
  time: Time | undefined;
  measurements: MeasurementsCase | undefined;
  trends: TrendPoint[];
}

/** The event, or undefined when the record needs the fromBinary path (see measurements-reader.ts). */
export function readDeviceEvent(bytes: Uint8Array): DeviceEvent | undefined {
  let body: Body | undefined;
  try {
    body = readEvent(new WireReader(bytes));
  } catch (e) {
    if (e === FALLBACK) return undefined;
    throw malformedProtobuf(e);
  }
  if (!body) throw new DecodeError("unknown_schema", "DeviceEvent: no telemetry or trends set");
  if (!body.deviceId) throw new DecodeError("missing_device_id", "device_id: missing");
  const timestamp = fromProtoTime(body.time, "timestamp");
  if (body.no === EVENT.telemetry.number)
    return {
      device_id: body.deviceId,
      device_type: body.deviceType,
      timestamp,
      event_type: "telemetry",
      measurements: groupsOf(body.measurements),
    };
  body.trends.forEach((p, i) => checkEpochSeconds(p.t, `trends[${i}].t`));
  return {
    device_id: body.deviceId,
    device_type: body.deviceType,
    timestamp,
    event_type: "trends",
    trends: body.trends,
  };
}

function readEvent(r: WireReader): Body | undefined {
  let body: Body | undefined;
  const depth = 1;
  while (r.pos < r.len) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === EVENT.telemetry.number || no === EVENT.trends.number)
      body = readBody(r, depth, body?.no === no ? body : emptyBody(no));
    else skip(r, tag, depth);
  }
  return body;
}

const emptyBody = (no: number): Body => ({
  no,
  deviceId: "",
  deviceType: "",
  time: undefined,
  measurements: undefined,
  trends: [],
});

function readBody(r: WireReader, depth: number, into: Body): Body {
  const end = enter(r, ++depth);
  const f = into.no === EVENT.telemetry.number ? TELEMETRY : TRENDS;
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === f.deviceId.number) into.deviceId = r.string();
    else if (no === f.deviceType.number) into.deviceType = r.string();
    else if (no === f.timestamp.number) into.time = readTime(r, depth, into.time);
    else if (f === TELEMETRY && no === TELEMETRY.measurements.number)
      into.measurements = readMeasurements(r, depth, into.measurements);
    else if (f === TRENDS && no === TRENDS.trends.number) into.trends.push(readPoint(r, depth));
    else skip(r, tag, depth);
  }
  return into;
}

function readTime(r: WireReader, depth: number, into: Time = { seconds: 0, nanos: 0 }): Time {
  const end = enter(r, ++depth);
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === TIME.seconds.number) into.seconds = r.int64();
    else if (no === TIME.nanos.number) into.nanos = r.int32();
    else skip(r, tag, depth);
  }
  return into;
}

function readPoint(r: WireReader, depth: number): TrendPoint {
  const end = enter(r, ++depth);
  const p: TrendPoint = { c: "", v: 0, avg: 0, min: 0, max: 0, t: 0 };
  while (r.pos < end) {
    const tag = r.tag();
    const no = tag >>> 3;
    if (no === POINT.metric.number) p.c = r.string();
    else if (no === POINT.last.number) p.v = r.double();
    else if (no === POINT.avg.number) p.avg = r.double();
    else if (no === POINT.min.number) p.min = r.double();
    else if (no === POINT.max.number) p.max = r.double();
    else if (no === POINT.windowStart.number)
      p.t = r.int64(); // checked once the whole record is read
    else skip(r, tag, depth);
  }
  return p;
}
