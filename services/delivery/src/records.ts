/**
 * Enriched records as an application receives them. Enrichment already dead-lettered bad raw input,
 * so a record that does not decode here is counted and skipped, never retried.
 */
import type { IncomingRecord } from "@iot/common/bus";
import { decodeEnrichedEvent } from "@iot/common/codec";
import type { EnrichedEvent } from "@iot/common/telemetry";
import { HEADER } from "@iot/common/wire";

export interface Delivery {
  /** The record's message id (`topic/partition/offset` of the raw record): a receiver's de-duplication key. */
  id: string;
  record: IncomingRecord;
  event: EnrichedEvent;
}

export interface Wants {
  deviceTypes: ReadonlySet<string>;
  deviceId?: string | undefined;
}

export const messageIdOf = (r: IncomingRecord) => r.headers[HEADER.messageId] ?? `${r.topic}/${r.partition}/${r.offset}`;

/** The records this application wants, decoded; `onBad` counts the ones that do not decode. */
export function select(records: IncomingRecord[], wants: Wants, onBad: () => void): Delivery[] {
  const out: Delivery[] = [];
  for (const record of records) {
    let event: EnrichedEvent;
    try {
      event = decodeEnrichedEvent(record.value, record.headers);
    } catch {
      onBad();
      continue;
    }
    if (!wants.deviceTypes.has(event.device_type)) continue;
    if (wants.deviceId !== undefined && event.device_id !== wants.deviceId) continue;
    out.push({ id: messageIdOf(record), record, event });
  }
  return out;
}

/** One item of a webhook body or one stream event's data. */
export const itemJson = (d: Delivery) => ({ id: d.id, type: "iot.enriched", data: d.event });
