/**
 * How the bus cuts a publish into sends. Kafka refuses a partition's record batch over its
 * `message.max.bytes` (1 MiB by default) and kafkajs sends one partition's records as one batch, so
 * one send carries at most MAX_SEND_BYTES by this estimate. A producer that wants each of its
 * batches to be exactly one send (so a retry re-sends no more than one send) cuts with `sendEnd`.
 */
import type { OutgoingRecord } from "../bus";

export const MAX_SEND_BYTES = 512 * 1024;
/** Kafka's per-record framing (varint lengths, attributes, deltas), rounded up. */
const RECORD_OVERHEAD_BYTES = 70;

/** What a record weighs in a send: value, key, headers, and the record's own framing. */
export function recordBytes(r: OutgoingRecord): number {
  let n = r.value.byteLength + (r.key?.length ?? 0) + RECORD_OVERHEAD_BYTES;
  for (const k in r.headers) n += k.length + r.headers[k]!.length + 2;
  return n;
}

/** The end (exclusive) of the send that starts at `start`: at least one record, at most MAX_SEND_BYTES. */
export function sendEnd(records: readonly OutgoingRecord[], start: number, maxBytes = MAX_SEND_BYTES): number {
  return nextSend(records, start, maxBytes).end;
}

/** `sendEnd`, and what that send weighs (for merging sends up to the same cap). */
export function nextSend(
  records: readonly OutgoingRecord[],
  start: number,
  maxBytes = MAX_SEND_BYTES,
): { end: number; bytes: number } {
  let end = start;
  let bytes = 0;
  for (; end < records.length; end++) {
    const next = recordBytes(records[end]!);
    if (bytes + next > maxBytes && end > start) break;
    bytes += next;
  }
  return { end, bytes };
}
