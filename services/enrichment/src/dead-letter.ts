/** A dead letter keeps the original key, bytes and headers; added headers say why and from where. */
import type { IncomingRecord, OutgoingRecord } from "@iot/common/bus";

export const DLQ_HEADERS = {
  reason: "dlq-reason",
  error: "dlq-error",
  topic: "dlq-source-topic",
  partition: "dlq-source-partition",
  offset: "dlq-source-offset",
  time: "dlq-time",
} as const;

export function deadLetter(r: IncomingRecord, reason: string, error: string, at: string): OutgoingRecord {
  return {
    key: r.key,
    value: r.value,
    headers: {
      ...r.headers,
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.error]: error.slice(0, 500),
      [DLQ_HEADERS.topic]: r.topic,
      [DLQ_HEADERS.partition]: String(r.partition),
      [DLQ_HEADERS.offset]: r.offset,
      [DLQ_HEADERS.time]: at,
    },
  };
}
