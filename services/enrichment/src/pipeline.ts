/**
 * One batch from `iot.raw` in, its enriched records and dead letters out. The batch handler only
 * returns after both publishes are acknowledged, so the bus commits the input offsets after the
 * output is durable (a crash duplicates, never loses). A publish failure throws: the bus offers the
 * batch again. Bad input never throws: it becomes a dead letter and the partition moves on.
 */
import type { Batch, EventBus, OutgoingRecord } from "@iot/common/bus";
import type { Topics } from "@iot/common/bus-config";
import {
  createEnrichedEncoder,
  DecodeError,
  decodeDeviceEvent,
  deviceEventFormat,
  type PayloadFormat,
  timestampNow,
} from "@iot/common/codec";
import { errorMessage, type Logger } from "@iot/common/logger";
import { HEADER } from "@iot/common/wire";
import { deadLetter } from "./dead-letter";
import { type EnrichContext, enrichmentOf } from "./enrich";
import type { EnrichmentMetrics } from "./enrichment-metrics";

export interface PipelineDeps {
  bus: EventBus;
  topics: Topics;
  format: PayloadFormat;
  maxMessageBytes: number;
  context: () => Omit<EnrichContext, "enrichedAt">;
  metrics: EnrichmentMetrics;
  log: Logger;
}

export const UNREGISTERED_LABEL = "unregistered";

export function createPipeline(deps: PipelineDeps) {
  const { bus, topics, metrics } = deps;
  const encode = createEnrichedEncoder(deps.format);

  return async function handleBatch(batch: Batch): Promise<void> {
    const started = performance.now();
    const ctx: EnrichContext = { ...deps.context(), enrichedAt: timestampNow() };
    const enriched: OutgoingRecord[] = [];
    const dead: OutgoingRecord[] = [];
    const byType = new Map<string, number>();
    const byReason = new Map<string, number>();
    let stale = 0;
    for (const r of batch.records) {
      try {
        if (r.value.byteLength > deps.maxMessageBytes) {
          throw new DecodeError("oversize", `${r.value.byteLength} bytes exceeds the limit of ${deps.maxMessageBytes}`);
        }
        const event = decodeDeviceEvent(r.value, r.headers);
        const out = enrichmentOf(event, ctx);
        const { value, headers } = encode(
          event,
          out,
          deviceEventFormat(r.headers) === "protobuf" ? r.value : undefined,
        );
        headers[HEADER.messageId] = `${r.topic}/${r.partition}/${r.offset}`;
        headers[HEADER.sourceTimestamp] = String(r.timestamp);
        enriched.push({ key: r.key ?? event.device_id, value, headers });
        // A label per registered type at most: device-supplied type names must not grow the metric's label set.
        const detected = out.enrichment_info.device_type_detected;
        const t = ctx.profiles.has(detected) ? detected : UNREGISTERED_LABEL;
        byType.set(t, (byType.get(t) ?? 0) + 1);
        if (!out.enrichment_info.app_registry_integration) stale++;
      } catch (e) {
        // Anything this record alone caused (bad bytes, or input our code cannot enrich) is poison.
        const reason = e instanceof DecodeError ? e.reason : "enrichment_failed";
        if (reason === "enrichment_failed")
          deps.log.error("enrichment failed on a record", { error: errorMessage(e), offset: r.offset });
        dead.push(deadLetter(r, reason, errorMessage(e), ctx.enrichedAt));
        byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
      }
    }
    await Promise.all([bus.publish(topics.enriched, enriched), bus.publish(topics.dlq, dead)]);
    // Counted only once durable, so consumed = enriched + dead-lettered holds at every scrape.
    metrics.consumed.inc({}, batch.records.length);
    byType.forEach((n, device_type) => metrics.enriched.inc({ device_type }, n));
    byReason.forEach((n, reason) => metrics.deadLettered.inc({ reason }, n));
    metrics.lookups.inc({ result: "current" }, enriched.length - stale);
    metrics.lookups.inc({ result: "stale" }, stale);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
  };
}
