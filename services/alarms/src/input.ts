/**
 * What the alarms service reads from an enriched record besides the event: when (broker time) and
 * where (its position in the input). Enrichment passes on the raw record's broker time
 * (`source-timestamp`) and identity (`message-id`), so a raw record enriched twice is one reading
 * at one time. Device timestamps are never used: a device's clock may be anywhere.
 */
import type { IncomingRecord } from "@iot/common/bus";
import type { Position } from "./alarm";

/** Set by enrichment (services/enrichment/src/pipeline.ts). */
export const MESSAGE_ID_HEADER = "message-id";
export const SOURCE_TIME_HEADER = "source-timestamp";

export function brokerTime(r: IncomingRecord): number {
  const t = Number(r.headers[SOURCE_TIME_HEADER]);
  return Number.isSafeInteger(t) && t > 0 ? t : r.timestamp;
}

export function positionOf(r: IncomingRecord): Position {
  const m = /^(.+)\/(\d+)\/(\d+)$/.exec(r.headers[MESSAGE_ID_HEADER] ?? "");
  if (m) return { stream: `${m[1]}/${m[2]}`, offset: Number(m[3]) };
  return { stream: `${r.topic}/${r.partition}`, offset: Number(r.offset) };
}
