/** The default fleet mix as enrichment publishes it (JSON), device time around now: what history and the dashboard consume. */
import type { OutgoingRecord } from "@iot/common/bus";
import { decodeDeviceEvent, encodeEnrichedEvent, timestampNow } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import type { ApplicationSummary } from "@iot/common/telemetry";
import { buildProfiles } from "../../services/enrichment/src/device-profile";
import { enrich } from "../../services/enrichment/src/enrich";
import { generateRawRecords } from "./fleet-data";

/** One application for every device type, as memory-5k registers one for its webhook. */
export const BENCH_APPLICATION: ApplicationSummary = {
  id: "bench",
  name: "bench",
  developer: "bench",
  platform: "webhook",
  category: "bench",
  status: "active",
};

/** A raw JSON record as enrichment would publish it, with `applications` registered for its type. */
export async function createBenchEnricher(
  applications: ApplicationSummary[] = [],
): Promise<(raw: OutgoingRecord) => OutgoingRecord> {
  const registry = await loadDeviceRegistry("config/device-registry.json");
  const ctx = {
    profiles: buildProfiles(registry),
    registrations: () => ({ applications, current: true }),
    service: "bench",
    version: "0",
    enrichedAt: timestampNow(),
  };
  return (r) => ({
    key: r.key,
    ...encodeEnrichedEvent(enrich(decodeDeviceEvent(r.value, r.headers), ctx), "json"),
  });
}

export async function enrichedFleet(count: number, applications: ApplicationSummary[] = []): Promise<OutgoingRecord[]> {
  const enriched = await createBenchEnricher(applications);
  const out: OutgoingRecord[] = [];
  await generateRawRecords(count, ["json"], async (chunk) => {
    for (const r of chunk.get("json")!) out.push(enriched(r));
  });
  return out;
}
