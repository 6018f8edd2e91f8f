/**
 * The one place payloads become messages and back. The `content-type` header picks the format
 * (absent: JSON); protobuf payloads also say their `message-type` (names in wire.ts). Failures are DecodeErrors with a
 * reason, which consumers turn into dead letters.
 */
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";
import { EnrichedEventSchema } from "@gen/iot/telemetry/v1/enriched_pb";
import { DecodeError, parseProto } from "./codec/decode-error";
import { readDeviceEvent } from "./codec/device-event-reader";
import { createEnrichedJsonDecoder } from "./codec/enriched-json";
import { parseJson } from "./codec/parse-json";
import { deviceEventFromBinary, deviceEventToProto, enrichedEventFromProto, enrichedEventToProto } from "./codec/proto";
import { validateDeviceEvent } from "./codec/validate";
import type { DeviceEvent, EnrichedEvent } from "./telemetry";
import { CONTENT_TYPE, HEADER, MESSAGE_TYPE } from "./wire";

export { DecodeError, type DecodeReason } from "./codec/decode-error";
export { createEnrichedEncoder, type EnrichedEncoder } from "./codec/enriched-encoder";
export { canonicalTimestamp, formatTimestamp, timestampNow } from "./codec/timestamp";

export type PayloadFormat = "json" | "protobuf";
export const PAYLOAD_FORMATS = ["json", "protobuf"] as const;
export type Headers = Record<string, string>;

export interface Encoded {
  value: Uint8Array;
  headers: Headers;
}

const utf8Encoder = new TextEncoder();

export function encodeDeviceEvent(e: DeviceEvent, format: PayloadFormat): Encoded {
  if (format === "json")
    return { value: utf8Encoder.encode(JSON.stringify(e)), headers: { [HEADER.contentType]: CONTENT_TYPE.json } };
  return {
    value: toBinary(DeviceEventSchema, deviceEventToProto(e)),
    headers: { [HEADER.contentType]: CONTENT_TYPE.protobuf, [HEADER.messageType]: MESSAGE_TYPE.device },
  };
}

/** Which format a device event's headers name (what decodeDeviceEvent reads). Throws a DecodeError for neither. */
export const deviceEventFormat = (headers: Headers): PayloadFormat => formatOf(headers, MESSAGE_TYPE.device);

export function decodeDeviceEvent(value: Uint8Array, headers: Headers = {}): DeviceEvent {
  if (formatOf(headers, MESSAGE_TYPE.device) === "json") return validateDeviceEvent(parseJson(value));
  return readDeviceEvent(value) ?? deviceEventFromBinary(value);
}

export function encodeEnrichedEvent(e: EnrichedEvent, format: PayloadFormat): Encoded {
  if (format === "json")
    return { value: utf8Encoder.encode(JSON.stringify(e)), headers: { [HEADER.contentType]: CONTENT_TYPE.json } };
  return {
    value: toBinary(EnrichedEventSchema, enrichedEventToProto(e)),
    headers: { [HEADER.contentType]: CONTENT_TYPE.protobuf, [HEADER.messageType]: MESSAGE_TYPE.enriched },
  };
}

// Every reader of the enriched topic decodes through this one: its blocks are parsed once per distinct text.
const decodeEnrichedJson = createEnrichedJsonDecoder();

/** Enriched events come from our own enrichment service; the check is lighter than for devices. */
export function decodeEnrichedEvent(value: Uint8Array, headers: Headers = {}): EnrichedEvent {
  if (formatOf(headers, MESSAGE_TYPE.enriched) === "protobuf") {
    return enrichedEventFromProto(parseProto(() => fromBinary(EnrichedEventSchema, value)));
  }
  return decodeEnrichedJson(value);
}

function formatOf(headers: Headers, expected: string): PayloadFormat {
  const given = headers[HEADER.contentType];
  // Read twice per record by enrichment: the exact names our producers write skip the parsing below.
  if (given === undefined || given === CONTENT_TYPE.json) return "json";
  if (given === CONTENT_TYPE.protobuf && headers[HEADER.messageType] === expected) return "protobuf";
  const ct = given.split(";")[0]?.trim().toLowerCase();
  if (ct === undefined || ct === "" || ct === CONTENT_TYPE.json) return "json";
  if (ct === CONTENT_TYPE.protobuf || ct === "application/protobuf") {
    const mt = headers[HEADER.messageType];
    if (mt !== undefined && mt !== expected)
      throw new DecodeError("unknown_schema", `message-type "${mt.slice(0, 80)}" is not ${expected}`);
    return "protobuf";
  }
  throw new DecodeError("unknown_schema", `content-type "${ct.slice(0, 80)}" is neither JSON nor protobuf`);
}
