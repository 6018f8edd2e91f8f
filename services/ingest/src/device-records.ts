/**
 * What a device sent becomes one record on `iot.raw`: keyed by the authenticated device id, the
 * payload unchanged, except that a missing `device_id` is filled in. A `device_id` naming another
 * device is refused: a device writes only as itself. Content checks beyond that belong to
 * enrichment (one validator), so a payload that cannot be read here passes through unchanged
 * and ends in `iot.dlq` there with its reason.
 */
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";
import type { OutgoingRecord } from "@iot/common/bus";
import { CONTENT_TYPE, HEADER, MESSAGE_TYPE } from "@iot/common/wire";

export type IngestTransport = "mqtt" | "http" | "mqtt-bridge";
export type PayloadFormat = "json" | "protobuf";

export type RecordResult =
  | { ok: true; record: OutgoingRecord }
  | { ok: false; reason: "device_mismatch"; message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

const headersFor = (format: PayloadFormat, deviceId: string, transport: IngestTransport): Record<string, string> =>
  format === "json"
    ? { [HEADER.contentType]: CONTENT_TYPE.json, [HEADER.deviceId]: deviceId, [HEADER.transport]: transport }
    : {
        [HEADER.contentType]: CONTENT_TYPE.protobuf,
        [HEADER.messageType]: MESSAGE_TYPE.device,
        [HEADER.deviceId]: deviceId,
        [HEADER.transport]: transport,
      };

const mismatch = (deviceId: string, claimed: unknown): RecordResult => ({
  ok: false,
  reason: "device_mismatch",
  message: `device_id ${JSON.stringify(String(claimed).slice(0, 128))} is not the authenticated device ${JSON.stringify(deviceId)}`,
});

/** A parsed JSON document; `original` is its exact bytes when it was sent as one (kept as they are unless device_id is filled). */
export function jsonRecord(
  deviceId: string,
  doc: unknown,
  original: Uint8Array | undefined,
  transport: IngestTransport,
): RecordResult {
  let value = original;
  if (typeof doc === "object" && doc !== null && !Array.isArray(doc)) {
    const claimed = (doc as Record<string, unknown>).device_id;
    if (claimed !== undefined && claimed !== deviceId) return mismatch(deviceId, claimed);
    if (claimed === undefined) value = encoder.encode(JSON.stringify({ device_id: deviceId, ...doc }));
  }
  return {
    ok: true,
    record: {
      key: deviceId,
      value: value ?? encoder.encode(JSON.stringify(doc)),
      headers: headersFor("json", deviceId, transport),
    },
  };
}

/** A protobuf DeviceEvent; one that does not decode passes through for enrichment to dead-letter. */
export function protobufRecord(deviceId: string, value: Uint8Array, transport: IngestTransport): RecordResult {
  let out = value;
  const inner = decodeDeviceEvent(value)?.event;
  if (inner?.value) {
    if (inner.value.deviceId !== "" && inner.value.deviceId !== deviceId)
      return mismatch(deviceId, inner.value.deviceId);
    if (inner.value.deviceId === "") {
      inner.value.deviceId = deviceId;
      out = toBinary(DeviceEventSchema, create(DeviceEventSchema, { event: inner }));
    }
  }
  return { ok: true, record: { key: deviceId, value: out, headers: headersFor("protobuf", deviceId, transport) } };
}

/**
 * An MQTT payload (MQTT 3.1.1 carries no content type): JSON when it starts with `{` or `[`
 * (a protobuf DeviceEvent never does: its first byte is a field tag), otherwise protobuf.
 */
export function mqttRecord(deviceId: string, payload: Uint8Array, transport: IngestTransport): RecordResult {
  if (sniff(payload) === "protobuf") return protobufRecord(deviceId, payload, transport);
  return jsonRecord(deviceId, tryParseJson(payload), payload, transport);
}

export function sniff(payload: Uint8Array): PayloadFormat {
  for (const byte of payload) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x7b || byte === 0x5b ? "json" : "protobuf";
  }
  return "json";
}

/** The parsed document, or undefined when it is not JSON (it then passes through unchanged). */
export function tryParseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(bytes));
  } catch {
    return undefined;
  }
}

/** The protobuf DeviceEvent, or undefined when the bytes are not one. */
export function decodeDeviceEvent(value: Uint8Array) {
  try {
    return fromBinary(DeviceEventSchema, value);
  } catch {
    return undefined;
  }
}
