/**
 * Recent `iot.dlq` records: why each was rejected, where it came from, and a short preview of the
 * original bytes. The bytes are not kept: a preview is made once, escaped for display and truncated.
 */
import type { IncomingRecord } from "@iot/common/bus";
import { DLQ_HEADER, HEADER } from "@iot/common/wire";
import { createRing } from "./ring";

export const PREVIEW_BYTES = 160;

export interface DeadLetter {
  /** The dead letter's own place on the DLQ topic. */
  position: { topic: string; partition: number; offset: string; timestamp: number };
  key: string | null;
  reason?: string;
  error?: string;
  source?: { topic?: string; partition?: string; offset?: string };
  /** When enrichment rejected it (RFC 3339, from the `dlq-time` header). */
  time?: string;
  size: number;
  preview: { kind: "text" | "hex"; text: string; truncated: boolean };
}

export interface DeadLetterStore {
  add(records: IncomingRecord[]): void;
  newest(limit?: number): DeadLetter[];
  /** Dead letters seen since the dashboard started, by reason. */
  counts(): Array<[string, number]>;
}

const UNKNOWN_REASON = "unknown";

export function createDeadLetterStore(capacity: number): DeadLetterStore {
  const ring = createRing<DeadLetter>(capacity);
  const counts = new Map<string, number>();
  return {
    add(records) {
      for (const r of records) {
        const reason = r.headers[DLQ_HEADER.reason] ?? UNKNOWN_REASON;
        counts.set(reason, (counts.get(reason) ?? 0) + 1);
      }
      // Only the newest can be shown: older ones in a big batch would be pushed out at once.
      for (const r of records.slice(-capacity)) ring.push(deadLetterOf(r));
    },
    newest: (limit) => ring.newest(limit),
    counts: () => [...counts].sort((a, b) => b[1] - a[1]),
  };
}

function deadLetterOf(r: IncomingRecord): DeadLetter {
  const h = r.headers;
  return {
    position: { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp },
    key: r.key,
    reason: h[DLQ_HEADER.reason],
    error: h[DLQ_HEADER.error],
    source: { topic: h[DLQ_HEADER.topic], partition: h[DLQ_HEADER.partition], offset: h[DLQ_HEADER.offset] },
    time: h[DLQ_HEADER.time],
    size: r.value.byteLength,
    preview: previewBytes(r.value, h[HEADER.contentType]),
  };
}

const decoder = new TextDecoder("utf-8", { fatal: false });
// C0/C1 controls, and bidi overrides that could make a preview read differently from its bytes.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** Text with invisible characters written as \u{…}; binary (protobuf) as hex. HTML escaping happens when rendered. */
export function previewBytes(value: Uint8Array, contentType?: string): DeadLetter["preview"] {
  const head = value.subarray(0, PREVIEW_BYTES);
  const truncated = value.byteLength > PREVIEW_BYTES;
  if (contentType?.includes("protobuf")) {
    return { kind: "hex", text: Array.from(head, (b) => b.toString(16).padStart(2, "0")).join(" "), truncated };
  }
  const text = decoder.decode(head).replace(INVISIBLE, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
  return { kind: "text", text, truncated };
}
