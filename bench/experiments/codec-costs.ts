/**
 * Experiment (not part of `bun run bench`): what enrichment's own per-record work costs, stage by
 * stage, with the service's own functions on the bench's realistic records, in one process with
 * no Kafka. Compare with the per-record CPU of the pipeline runs (replica_cpu_pct) to see which
 * share is enrichment's and which is the Kafka client's.
 *   bun bench/experiments/codec-costs.ts [--records 50000]
 */
import { parseArgs } from "node:util";
import type { OutgoingRecord } from "@iot/common/bus";
import { decodeDeviceEvent, encodeEnrichedEvent, type PayloadFormat, timestampNow } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import type { ApplicationSummary, DeviceEvent, EnrichedEvent } from "@iot/common/telemetry";
import { buildProfiles } from "../../services/enrichment/src/device-profile";
import { type EnrichContext, enrich } from "../../services/enrichment/src/enrich";
import { EXAMPLE_APPLICATIONS } from "../../services/app-registry/src/examples";
import { generateRawRecords } from "../lib/fleet-data";
import { printTable, round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: { records: { type: "string", default: "50000" } },
});
const formats: PayloadFormat[] = ["json", "protobuf"];
const raw = new Map<PayloadFormat, OutgoingRecord[]>(formats.map((f) => [f, []]));
await generateRawRecords(Number(flags.records), formats, async (chunk) =>
  chunk.forEach((records, f) => raw.get(f)!.push(...records)),
);

// The example registrations, as enrichment's cache holds them (summaries per device type).
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
const ctx: EnrichContext = {
  profiles: buildProfiles(await loadDeviceRegistry("config/device-registry.json")),
  registrations: (t) => ({ applications: apps.get(t) ?? [], current: true }),
  service: "iot-enrichment-service",
  version: "1.0.0",
  enrichedAt: timestampNow(),
};

/** µs per record of `fn` over every record, best of three passes (JIT warm after the first). */
function time<T>(items: T[], fn: (x: T) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 3; pass++) {
    const t0 = performance.now();
    for (const x of items) fn(x);
    best = Math.min(best, ((performance.now() - t0) * 1000) / items.length);
  }
  return round(best, 2);
}

const rows = formats.map((format) => {
  const records = raw.get(format)!;
  const decoded: DeviceEvent[] = records.map((r) => decodeDeviceEvent(r.value, r.headers));
  const enriched: EnrichedEvent[] = decoded.map((e) => enrich(e, ctx));
  const decode = time(records, (r) => decodeDeviceEvent(r.value, r.headers));
  const enrichUs = time(decoded, (e) => enrich(e, ctx));
  const encode = time(enriched, (e) => encodeEnrichedEvent(e, format));
  return {
    format,
    decode_us: decode,
    enrich_us: enrichUs,
    encode_us: encode,
    total_us: round(decode + enrichUs + encode, 2),
    // What re-serialising the per-device-type constant blocks costs on every record (JSON):
    constant_blocks_json_us:
      format === "json" ? time(enriched, (e) => JSON.stringify([e.device_metadata, e.application_registry])) : null,
    bytes_in: Math.round(records.reduce((n, r) => n + r.value.byteLength, 0) / records.length),
    bytes_out: Math.round(
      enriched.reduce((n, e) => n + encodeEnrichedEvent(e, format).value.byteLength, 0) / enriched.length,
    ),
  };
});
printTable(`Enrichment's own work per record (µs, ${raw.get("json")!.length} records, best of 3 passes)`, rows);
