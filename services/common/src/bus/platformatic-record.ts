/**
 * A consumed @platformatic/kafka message as the bus's IncomingRecord. This runs for every record every
 * reader consumes, and decoding header bytes to strings was most of it (~0.1 µs a string): header names
 * repeat on every record, and some values (content types, transports) on nearly every one, so those
 * are decoded once and recognised by their bytes afterwards.
 */
import type { Message } from "@platformatic/kafka";
import type { IncomingRecord } from "../bus";

type Msg = Message<Buffer, Buffer, Buffer, Buffer>;

interface HeaderName {
  bytes: Buffer;
  text: string;
  /** The last value seen under this name (a copy, so no fetch buffer is held), while values repeat. */
  value?: { bytes: Buffer; text: string };
  /** Values that differed from the one before, in a row: past VALUE_MISSES the name's values are not remembered. */
  misses: number;
}

/** Names remembered per reader: publishers choose header names, so the memory is bounded. */
const MAX_NAMES = 16;
/** A name whose value changed this many records in a row (ids, times) stops being compared. */
const VALUE_MISSES = 16;
/** Only short values are remembered. */
const MAX_VALUE_BYTES = 64;

export function createRecordReader(): (m: Msg) => IncomingRecord {
  const names: HeaderName[] = [];

  const nameOf = (bytes: Buffer, position: number): HeaderName | undefined => {
    // Records of one topic carry their headers in the same order: the guess is nearly always right.
    const guess = names[position];
    if (guess?.bytes.equals(bytes)) return guess;
    for (const n of names) if (n.bytes.equals(bytes)) return n;
    if (names.length >= MAX_NAMES) return undefined;
    const n: HeaderName = { bytes: Buffer.from(bytes), text: bytes.toString(), misses: 0 };
    names.push(n);
    return n;
  };

  const valueOf = (n: HeaderName, bytes: Buffer): string => {
    if (n.misses >= VALUE_MISSES) return bytes.toString();
    if (n.value?.bytes.equals(bytes)) {
      n.misses = 0;
      return n.value.text;
    }
    const text = bytes.toString();
    n.misses++;
    if (bytes.length <= MAX_VALUE_BYTES) n.value = { bytes: Buffer.from(bytes), text };
    return text;
  };

  return (m) => {
    const headers: Record<string, string> = {};
    const entries = m.headerEntries;
    for (let i = 0; i < entries.length; i++) {
      // Null bytes (length -1 on the wire) come as null or undefined whatever the types say. A null
      // value is allowed by Kafka; a null name is not, but a hand-written producer can send one.
      // Neither may throw here: the batch would be redelivered forever.
      const [k, v] = entries[i]! as [Buffer | null | undefined, Buffer | null | undefined];
      if (k === null || k === undefined) continue;
      const n = nameOf(k, i);
      if (v === null || v === undefined) headers[n?.text ?? k.toString()] = "";
      else if (n === undefined) headers[k.toString()] = v.toString();
      else headers[n.text] = valueOf(n, v);
    }
    return {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset.toString(),
      key: m.key === undefined || m.key === null ? null : m.key.toString(),
      value: m.value ?? new Uint8Array(),
      headers,
      timestamp: Number(m.timestamp),
    };
  };
}
