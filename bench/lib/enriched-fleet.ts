/** The default fleet mix as enrichment publishes it (JSON), device time around now: what history consumes. */
import type { OutgoingRecord } from "@iot/common/bus";
import { decodeDeviceEvent, encodeEnrichedEvent, timestampNow } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { buildProfiles } from "../../services/enrichment/src/device-profile";
import { enrich } from "../../services/enrichment/src/enrich";
import { generateRawRecords } from "./fleet-data";

export async function enrichedFleet(count: number): Promise<OutgoingRecord[]> {
  const registry = await loadDeviceRegistry("config/device-registry.json");
  const ctx = {
    profiles: buildProfiles(registry),
    registrations: () => ({ applications: [], current: true }),
    service: "bench",
    version: "0",
    enrichedAt: timestampNow(),
  };
  const out: OutgoingRecord[] = [];
  await generateRawRecords(count, ["json"], async (chunk) => {
    for (const r of chunk.get("json")!)
      out.push({ key: r.key, ...encodeEnrichedEvent(enrich(decodeDeviceEvent(r.value, r.headers), ctx), "json") });
  });
  return out;
}
