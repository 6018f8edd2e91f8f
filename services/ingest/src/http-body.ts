/**
 * An HTTP request body as the records it carries: one JSON object, a JSON array of them, NDJSON
 * (one object per line), or one protobuf DeviceEvent. The content type decides; a body that does
 * not parse as what it says it is is refused whole (400), an unknown content type too (415).
 */
import { decodeDeviceEvent, jsonRecord, type PayloadFormat, protobufRecord, type RecordResult } from "./device-records";

export type BodyRefusal = {
  ok: false;
  status: 400 | 413 | 415;
  reason: "malformed_body" | "unsupported_media_type" | "oversize";
  message: string;
};

const FORMATS: Record<string, PayloadFormat | "ndjson"> = {
  "application/json": "json",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
  "application/x-protobuf": "protobuf",
  "application/protobuf": "protobuf",
};
export const ACCEPTED_CONTENT_TYPES = Object.keys(FORMATS);

const utf8 = new TextDecoder("utf-8", { fatal: true });

const bad = (message: string): BodyRefusal => ({ ok: false, status: 400, reason: "malformed_body", message });

/** Each record of the body for `deviceId`, or why the body is refused. A record naming another device refuses the whole body. */
export function bodyRecords(
  deviceId: string,
  contentType: string | null,
  body: Uint8Array,
  maxPayloadBytes: number,
): { ok: true; results: RecordResult[] } | BodyRefusal {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  const format = FORMATS[type];
  if (!format)
    return {
      ok: false,
      status: 415,
      reason: "unsupported_media_type",
      message: `content-type must be one of ${ACCEPTED_CONTENT_TYPES.join(", ")}`,
    };
  if (format === "protobuf") {
    if (body.byteLength > maxPayloadBytes)
      return { ok: false, status: 413, reason: "oversize", message: `a record is limited to ${maxPayloadBytes} bytes` };
    // Unlike MQTT, an HTTP client can be told at once that its protobuf is unreadable.
    if (!decodeDeviceEvent(body)) return bad("body is not a protobuf iot.telemetry.v1.DeviceEvent");
    return { ok: true, results: [protobufRecord(deviceId, body, "http")] };
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return bad("body is not UTF-8");
  }
  const docs: unknown[] = [];
  if (format === "json") {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      return bad(`body is not JSON: ${(e as Error).message}`);
    }
    docs.push(...(Array.isArray(doc) ? doc : [doc]));
  } else {
    for (const [i, line] of text.split("\n").entries()) {
      if (line.trim() === "") continue;
      try {
        docs.push(JSON.parse(line));
      } catch (e) {
        return bad(`line ${i + 1} is not JSON: ${(e as Error).message}`);
      }
    }
  }
  if (docs.length === 0) return bad("body holds no records");
  const results: RecordResult[] = [];
  for (const [i, doc] of docs.entries()) {
    if (typeof doc !== "object" || doc === null || Array.isArray(doc))
      return bad(`record ${i}: expected a JSON object`);
    const r = jsonRecord(deviceId, doc, docs.length === 1 && format === "json" ? body : undefined, "http");
    if (r.ok && r.record.value.byteLength > maxPayloadBytes)
      return { ok: false, status: 413, reason: "oversize", message: `record ${i} exceeds ${maxPayloadBytes} bytes` };
    results.push(r);
  }
  return { ok: true, results };
}
