/**
 * Experiment (not part of `bun run bench`): the produce half of enrichment alone, through the bus as
 * enrichment uses it (createPlatformaticBus, zstd on the output topic, sends cut by send-size.ts) on
 * the real enriched records of the bench's fleet (the JSON batch handler's output, captured), handler
 * batches of --batch records, one partition's batch at a time as the consume loop hands them over.
 * Prints the process's CPU µs per record, which is what an A/B of client or bus changes compares:
 * run it from two checkouts, interleaved, e.g. `git archive main | tar -x -C /tmp/base`.
 *   bun bench/experiments/enriched-produce.ts [--records 60000] [--batch 120] [--passes 3]
 */
import { parseArgs } from "node:util";
import type { Batch, EventBus, IncomingRecord, OutgoingRecord } from "@iot/common/bus";
import { createPlatformaticBus } from "@iot/common/bus/platformatic-bus";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import type { ApplicationSummary } from "@iot/common/telemetry";
import { EXAMPLE_APPLICATIONS } from "../../services/app-registry/src/examples";
import { buildProfiles } from "../../services/enrichment/src/device-profile";
import { createEnrichmentMetrics } from "../../services/enrichment/src/enrichment-metrics";
import { createPipeline } from "../../services/enrichment/src/pipeline";
import { generateRawRecords } from "../lib/fleet-data";
import { round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "60000" },
    batch: { type: "string", default: "120" },
    passes: { type: "string", default: "3" },
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
  },
});
const raw: IncomingRecord[] = [];
await generateRawRecords(Number(flags.records), ["json"], async (chunk) =>
  chunk.get("json")?.forEach((r) =>
    raw.push({
      topic: "iot.raw",
      partition: raw.length % 6,
      offset: String(raw.length),
      key: r.key,
      value: r.value,
      headers: r.headers ?? {},
      timestamp: Date.now(),
    }),
  ),
);
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
const batches: OutgoingRecord[][] = [];
const capture = {
  publish: async (topic: string, records: OutgoingRecord[]) => {
    if (topic === "iot.enriched") batches.push(records);
  },
} as unknown as EventBus;
const handler = createPipeline({
  bus: capture,
  topics: { raw: "iot.raw", enriched: "iot.enriched", dlq: "iot.dlq" },
  format: "json",
  maxMessageBytes: 1_000_000,
  context: () => ({
    profiles,
    registrations: (t: string) => ({ applications: apps.get(t) ?? [], current: true }),
    service: "iot-enrichment-service",
    version: "1.0.0",
  }),
  metrics: createEnrichmentMetrics(createMetrics(), {
    registryAgeSeconds: () => 0,
    registryCurrent: () => 1,
    lag: () => 0,
  }),
  log: createLogger("enriched-produce", { level: "error" }),
});
const size = Number(flags.batch);
for (let i = 0; i < raw.length; i += size)
  await handler({ topic: "iot.raw", partition: 0, records: raw.slice(i, i + size) } satisfies Batch);
const n = batches.reduce((k, b) => k + b.length, 0);

const topic = `bench.enriched-produce.${Date.now().toString(36)}`;
const bus = createPlatformaticBus({
  brokers: flags.brokers.split(","),
  clientId: "enriched-produce",
  topics: [{ name: topic, partitions: 6 }],
  log: createLogger("enriched-produce", { level: "error" }),
  compression: { [topic]: "zstd" },
});
await bus.start();
await bus.publish(topic, batches[0]!); // connections, producer id, metadata
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const passes: number[] = [];
for (let pass = 0; pass < Number(flags.passes); pass++) {
  const t0 = cpuUs();
  for (const b of batches) await bus.publish(topic, b);
  passes.push(round((cpuUs() - t0) / n, 2));
}
await bus.stop();
console.log(JSON.stringify({ records: n, batch: size, cpu_us_per_record: passes, best: Math.min(...passes), topic }));
