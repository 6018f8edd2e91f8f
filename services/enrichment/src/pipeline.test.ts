import { expect, test } from "bun:test";
import type { Batch, EventBus, OutgoingRecord } from "@iot/common/bus";
import { encodeDeviceEvent } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { buildProfiles } from "./device-profile";
import { createEnrichmentMetrics } from "./enrichment-metrics";
import { createPipeline } from "./pipeline";

const profiles = buildProfiles(
  await loadDeviceRegistry(new URL("../../../config/device-registry.json", import.meta.url).pathname),
);
const topics = { raw: "raw", enriched: "enriched", dlq: "dlq" };

test("device types nobody registered share one metric label, however many a device invents", async () => {
  const published: Record<string, OutgoingRecord[]> = { enriched: [], dlq: [] };
  const bus = {
    publish: async (topic: string, records: OutgoingRecord[]) => void published[topic]!.push(...records),
  } as unknown as EventBus;
  const metrics = createMetrics();
  const handle = createPipeline({
    bus,
    topics,
    format: "json",
    maxMessageBytes: 65_536,
    context: () => ({
      profiles,
      registrations: () => ({ applications: [], current: true }),
      service: "s",
      version: "1",
    }),
    metrics: createEnrichmentMetrics(metrics, { registryAgeSeconds: () => 0, registryCurrent: () => 1, lag: () => 0 }),
    log: quietLogger(),
  });
  const types = ["smart_breaker", ...Array.from({ length: 50 }, (_, i) => `invented_type_${i}`)];
  const batch: Batch = {
    topic: "raw",
    partition: 0,
    records: types.map((device_type, i) => {
      const { value, headers } = encodeDeviceEvent(
        {
          device_id: `d-${i}`,
          device_type,
          timestamp: "2026-01-01T00:00:00.000000Z",
          event_type: "telemetry",
          measurements: { frequency: { value: 60 } },
        },
        "json",
      );
      return { topic: "raw", partition: 0, offset: String(i), key: `d-${i}`, value, headers, timestamp: 0 };
    }),
  };
  await handle(batch);

  expect(published.enriched).toHaveLength(51);
  const series = [...parseMetrics(await metrics.render())].filter(([k]) => k.startsWith("enrichment_enriched_total"));
  expect(Object.fromEntries(series)).toEqual({
    'enrichment_enriched_total{device_type="smart_breaker"}': 1,
    'enrichment_enriched_total{device_type="unregistered"}': 50,
  });
});
