/**
 * Enriched records as an application receives them. Enrichment already dead-lettered bad raw input,
 * so a record that does not decode here is counted and skipped, never retried.
 *
 * Every application reads the same records in its own group, so a record is decoded once for all of
 * them: a bounded cache keyed by the record's position keeps what choosing needs (three fields and
 * the message id), not the decoded event (hundreds of objects a record, which outlived the young
 * generation in the cache). An item's data is the record's own bytes (JSON on one line, as enrichment
 * writes it), copied once into the webhook body and never decoded to a string: the record's text, its
 * item JSON, the body as a string and the body's UTF-8 copies for signing and sending were delivery's
 * largest memory (bench/experiments/delivery-rss.ts at 5,000 msg/s, 6 interleaved pairs: peak RSS
 * 210 -> 164 MB on average, CPU a record 41.5 -> 38.6 us). A payload in another form is written as
 * JSON once, in the cache. The Subscribe RPC, which sends the event itself, decodes it again.
 */
import type { IncomingRecord } from "@iot/common/bus";
import { decodeEnrichedEvent } from "@iot/common/codec";
import type { EnrichedEvent } from "@iot/common/telemetry";
import { CONTENT_TYPE, HEADER } from "@iot/common/wire";

const utf8Encoder = new TextEncoder();

export interface Delivery {
  /** The record's message id (`topic/partition/offset` of the raw record): a receiver's de-duplication key. */
  id: string;
  record: IncomingRecord;
  /** What an application's wants are checked against. */
  event: Pick<EnrichedEvent, "device_id" | "device_type" | "event_type">;
  /** The event as one line of UTF-8 JSON: an item's `data` (an item is `{"id", "type", "data"}`). */
  data: Uint8Array;
}

/** What the cache keeps of a record: `data` only when it is not the record's value as it is. */
export type Decoded = Pick<Delivery, "id" | "event"> & { data?: Uint8Array };

export interface Wants {
  deviceTypes: ReadonlySet<string>;
  /** Empty or absent: every event type. */
  eventTypes?: ReadonlySet<string>;
  deviceId?: string | undefined;
}

export type Decoder = (record: IncomingRecord) => Decoded | undefined;

export const messageIdOf = (r: IncomingRecord) =>
  r.headers[HEADER.messageId] ?? `${r.topic}/${r.partition}/${r.offset}`;

const utf8 = new TextDecoder();
const LF = 0x0a;
const CR = 0x0d;
/** The first byte of a UTF-8 byte order mark: the only byte besides whitespace and `{` an object's JSON may start with. */
const BOM = 0xef;

/** Decodes each record once while it is among the last `capacity` seen; undefined for a record that does not decode. */
export function createDecoder(capacity: number): Decoder {
  const cache = new Map<string, Decoded | null>();
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

function decode(record: IncomingRecord): Decoded | null {
  let event: EnrichedEvent;
  try {
    event = decodeEnrichedEvent(record.value, record.headers);
  } catch {
    return null;
  }
  const type = record.headers[HEADER.contentType]?.split(";")[0]?.trim();
  const json = type === undefined || type === "" || type === CONTENT_TYPE.json;
  // A JSON payload that decoded is embedded as it is (no re-serialising), unless it spans lines or
  // starts with a byte order mark (which decoding dropped).
  const v = record.value;
  const asIs = json && v[0] !== BOM && !v.includes(LF) && !v.includes(CR);
  const { device_id, device_type, event_type } = event;
  return {
    id: messageIdOf(record),
    event: { device_id, device_type, event_type },
    ...(asIs ? {} : { data: utf8Encoder.encode(JSON.stringify(event)) }),
  };
}

/** What precedes an item's data (the item ends with `}`). */
const itemHead = (d: Delivery) => `{"id":${JSON.stringify(d.id)},"type":"iot.enriched","data":`;

/** One item as text: an SSE event's data. */
export const itemJson = (d: Delivery) => `${itemHead(d)}${utf8.decode(d.data)}}`;

/** A webhook body, the items as one JSON array, written as bytes: each record's data is copied once. */
export function webhookBody(items: readonly Delivery[]): Uint8Array<ArrayBuffer> {
  const heads = items.map(itemHead);
  let size = 2 + Math.max(0, items.length - 1); // "[", "]" and a comma between items
  for (let i = 0; i < items.length; i++) size += Buffer.byteLength(heads[i]!) + items[i]!.data.length + 1;
  const body = Buffer.allocUnsafe(size);
  body[0] = 0x5b; // [
  let at = 1;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) body[at++] = 0x2c; // ,
    at += body.write(heads[i]!, at);
    body.set(items[i]!.data, at);
    at += items[i]!.data.length;
    body[at++] = 0x7d; // }
  }
  body[at] = 0x5d; // ]
  return body;
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
    out.push({ id: d.id, record, event: d.event, data: d.data ?? record.value });
  }
  return out;
}
