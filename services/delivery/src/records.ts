/**
 * Enriched records as an application receives them. Enrichment already dead-lettered bad raw input,
 * so a record that does not decode here is counted and skipped, never retried.
 *
 * Every application reads the same records in its own group, so a record is decoded, and its item
 * JSON written, once for all of them: a bounded cache keyed by the record's position. The cache keeps
 * what choosing and sending need (the item JSON and three fields), not the decoded event (hundreds of
 * objects a record): entries outlive the young generation, so each event became old garbage held
 * until a full collection. The Subscribe RPC, which sends the event itself, decodes it again.
 */
import type { IncomingRecord } from "@iot/common/bus";
import { decodeEnrichedEvent } from "@iot/common/codec";
import type { EnrichedEvent } from "@iot/common/telemetry";
import { CONTENT_TYPE, HEADER } from "@iot/common/wire";

export interface Delivery {
  /** The record's message id (`topic/partition/offset` of the raw record): a receiver's de-duplication key. */
  id: string;
  record: IncomingRecord;
  /** What an application's wants are checked against. */
  event: Pick<EnrichedEvent, "device_id" | "device_type" | "event_type">;
  /** `{"id", "type", "data"}` as one line of JSON: a webhook body item and an SSE event's data. */
  json: string;
}

export interface Wants {
  deviceTypes: ReadonlySet<string>;
  /** Empty or absent: every event type. */
  eventTypes?: ReadonlySet<string>;
  deviceId?: string | undefined;
}

export type Decoder = (record: IncomingRecord) => Omit<Delivery, "record"> | undefined;

export const messageIdOf = (r: IncomingRecord) =>
  r.headers[HEADER.messageId] ?? `${r.topic}/${r.partition}/${r.offset}`;

const utf8 = new TextDecoder();

/** Decodes each record once while it is among the last `capacity` seen; undefined for a record that does not decode. */
export function createDecoder(capacity: number): Decoder {
  const cache = new Map<string, Omit<Delivery, "record"> | null>();
  return (record) => {
    const key = `${record.topic}/${record.partition}/${record.offset}`;
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = decode(record);
      cache.set(key, hit);
      if (cache.size > capacity) cache.delete(cache.keys().next().value!);
    }
    return hit ?? undefined;
  };
}

function decode(record: IncomingRecord): Omit<Delivery, "record"> | null {
  let event: EnrichedEvent;
  try {
    event = decodeEnrichedEvent(record.value, record.headers);
  } catch {
    return null;
  }
  const id = messageIdOf(record);
  const type = record.headers[HEADER.contentType]?.split(";")[0]?.trim();
  // A JSON payload that decoded is embedded as it is (no re-serialising), unless it spans lines.
  const text = type === undefined || type === "" || type === CONTENT_TYPE.json ? utf8.decode(record.value) : undefined;
  const data = text !== undefined && !/[\r\n]/.test(text) ? text : JSON.stringify(event);
  const { device_id, device_type, event_type } = event;
  return {
    id,
    event: { device_id, device_type, event_type },
    json: `{"id":${JSON.stringify(id)},"type":"iot.enriched","data":${data}}`,
  };
}

/** The whole event of a record that `select` took (so it decodes): for the transports that send it as such. */
export const eventOf = (d: Delivery): EnrichedEvent => decodeEnrichedEvent(d.record.value, d.record.headers);

/** The records this application wants, decoded; `onBad` counts the ones that do not decode. */
export function select(records: IncomingRecord[], wants: Wants, decoder: Decoder, onBad: () => void): Delivery[] {
  const out: Delivery[] = [];
  for (const record of records) {
    const d = decoder(record);
    if (!d) {
      onBad();
      continue;
    }
    if (!wants.deviceTypes.has(d.event.device_type)) continue;
    if (wants.deviceId !== undefined && d.event.device_id !== wants.deviceId) continue;
    if (wants.eventTypes?.size && !wants.eventTypes.has(d.event.event_type)) continue;
    out.push({ ...d, record });
  }
  return out;
}
