/**
 * What the in-process enrichment experiments (bench/experiments/) run on: the bench's realistic raw
 * records as the bus hands them to a handler, enrichment's context with the example registrations, and
 * the enriched records its batch handler publishes.
 */
import type { EventBus, IncomingRecord, OutgoingRecord } from "@iot/common/bus";
import type { PayloadFormat } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import type { ApplicationSummary } from "@iot/common/telemetry";
import { EXAMPLE_APPLICATIONS } from "../../services/app-registry/src/examples";
import { buildProfiles } from "../../services/enrichment/src/device-profile";
import type { EnrichContext } from "../../services/enrichment/src/enrich";
import { createEnrichmentMetrics } from "../../services/enrichment/src/enrichment-metrics";
import { createPipeline } from "../../services/enrichment/src/pipeline";
import { generateRawRecords } from "./fleet-data";

/** ≥ `count` raw records per format of the simulated fleet, as incoming records of `iot.raw`. */
export async function rawIncoming(count: number, formats: PayloadFormat[]) {
  const raw = new Map<PayloadFormat, IncomingRecord[]>(formats.map((f) => [f, []]));
  await generateRawRecords(count, formats, async (chunk) =>
    chunk.forEach((records, f) => {
      const into = raw.get(f)!;
      for (const r of records)
        into.push({
          topic: "iot.raw",
          partition: 0,
          offset: String(into.length),
          key: r.key,
          value: r.value,
          headers: r.headers ?? {},
          timestamp: Date.now(),
        });
    }),
  );
  return raw;
}

/** Enrichment's context with the example registrations, as its cache holds them (summaries per device type). */
export async function exampleContext(): Promise<() => Omit<EnrichContext, "enrichedAt">> {
  const apps = new Map<string, ApplicationSummary[]>();
  EXAMPLE_APPLICATIONS.forEach((a, i) => {
    const summary: ApplicationSummary = {
      id: `00000000-0000-4000-8000-00000000000${i}`,
      name: a.name,
      developer: a.developer,
      platform: a.platform ?? "",
      category: a.category ?? "",
      status: "active",
    };
    for (const t of a.deviceTypes) apps.set(t, [...(apps.get(t) ?? []), summary]);
  });
  const profiles = buildProfiles(await loadDeviceRegistry("config/device-registry.json"));
  const registrations = (t: string) => ({ applications: apps.get(t) ?? [], current: true });
  return () => ({ profiles, registrations, service: "iot-enrichment-service", version: "1.0.0" });
}

/** Enrichment's batch handler as the service runs it, publishing to `bus`. */
export const enrichmentHandler = async (format: PayloadFormat, bus: EventBus) =>
  createPipeline({
    bus,
    topics: { raw: "iot.raw", enriched: "iot.enriched", dlq: "iot.dlq" },
    format,
    maxMessageBytes: 1_000_000,
    context: await exampleContext(),
    metrics: createEnrichmentMetrics(createMetrics(), {
      registryAgeSeconds: () => 0,
      registryCurrent: () => 1,
      lag: () => 0,
    }),
    log: createLogger("bench-enrichment", { level: "error" }),
  });

/** The enriched records the handler publishes for `raw` (JSON), one list per handler batch of `batchSize`. */
export async function enrichedBatches(raw: IncomingRecord[], batchSize: number): Promise<OutgoingRecord[][]> {
  const out: OutgoingRecord[][] = [];
  const capture = {
    publish: async (topic: string, records: OutgoingRecord[]) => {
      if (topic === "iot.enriched") out.push(records);
    },
  } as unknown as EventBus;
  const handler = await enrichmentHandler("json", capture);
  for (let i = 0; i < raw.length; i += batchSize)
    await handler({ topic: "iot.raw", partition: 0, records: raw.slice(i, i + batchSize) });
  return out;
}
