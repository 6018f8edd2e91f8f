/** A dead letter keeps the original key, bytes and headers; added headers say why and from where. */
import type { IncomingRecord, OutgoingRecord } from "@iot/common/bus";
import { DLQ_HEADER } from "@iot/common/wire";

export function deadLetter(r: IncomingRecord, reason: string, error: string, at: string): OutgoingRecord {
  return {
    key: r.key,
    value: r.value,
    headers: {
      ...r.headers,
      [DLQ_HEADER.reason]: reason,
      [DLQ_HEADER.error]: error.slice(0, 500),
      [DLQ_HEADER.topic]: r.topic,
      [DLQ_HEADER.partition]: String(r.partition),
      [DLQ_HEADER.offset]: r.offset,
      [DLQ_HEADER.time]: at,
    },
  };
}
