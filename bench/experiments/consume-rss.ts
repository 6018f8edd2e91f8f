/**
 * What a reader of the zstd-compressed enriched topic holds while it catches up: the records are
 * produced first (as enrichment publishes them: batches of 500, zstd), then a child process
 * subscribes with the default bus and a handler that does nothing, and reports its own peak RSS and
 * JavaScript heap. Memory, not time, is the figure: it does not depend on the machine's load.
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/consume-rss.ts [--records 100000]
 */
import { parseArgs } from "node:util";
import { heapStats } from "bun:jsc";
import type { OutgoingRecord } from "@iot/common/bus";
import { createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import { decodeDeviceEvent, encodeEnrichedEvent } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { createLogger } from "@iot/common/logger";
import { buildProfiles } from "../../services/enrichment/src/device-profile";
import { enrich } from "../../services/enrichment/src/enrich";
import { generateRawRecords } from "../lib/fleet-data";
import { createAdmin } from "../lib/kafka";
import { rssMb } from "../lib/proc";
import { runId } from "../lib/services";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: { records: { type: "string", default: "100000" }, topic: { type: "string" } },
});
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is required");
const busFor = (topic: string, clientId: string) =>
  createKafkaBusFromConfig(
    loadBusConfig({ KAFKA_BROKERS: brokers, TOPIC_ENRICHED: topic }),
    clientId,
    createLogger(clientId, { level: "error" }),
  );

if (flags.topic) await consume(flags.topic, Number(flags.records));
else await main(Number(flags.records));

async function main(count: number) {
  const topic = `bench.consume-rss.${runId()}`;
  const admin = createAdmin(brokers!);
  await admin.createTopics([topic], 6);
  const bus = busFor(topic, "consume-rss-producer");
  try {
    await bus.start();
    const profiles = buildProfiles(await loadDeviceRegistry("config/device-registry.json"));
    const context = {
      profiles,
      registrations: () => ({ applications: [], current: true }),
      service: "bench",
      version: "0",
    };
    await generateRawRecords(count, ["json"], async (chunk) => {
      const records: OutgoingRecord[] = chunk.get("json")!.map((r) => ({
        key: r.key,
        ...encodeEnrichedEvent(
          enrich(decodeDeviceEvent(r.value, r.headers ?? {}), { ...context, enrichedAt: new Date().toISOString() }),
          "json",
        ),
      }));
      for (let i = 0; i < records.length; i += 500) await bus.publish(topic, records.slice(i, i + 500));
    });
    const total = await admin.records([topic]);
    const child = Bun.spawn(["bun", import.meta.path, "--topic", topic, "--records", String(total)], {
      env: process.env,
      stdout: "inherit",
      stderr: "inherit",
    });
    await child.exited;
  } finally {
    await bus.stop();
    await admin.deleteTopics([topic]);
    await admin.disconnect();
  }
}

async function consume(topic: string, total: number) {
  const bus = busFor(topic, "consume-rss-reader");
  let seen = 0;
  let peakHeap = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await bus.start();
  const sub = await bus.subscribe({
    groupId: `consume-rss-${runId()}`,
    topics: [topic],
    fromBeginning: true,
    handler: async (batch) => {
      seen += batch.records.length;
      peakHeap = Math.max(peakHeap, heapStats().heapSize);
      if (seen >= total) done();
    },
  });
  await finished;
  const s = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const peak = rssMb(process.pid)!.peak;
  await sub.stop();
  await bus.stop();
  console.log(
    `${process.env.KAFKA_CLIENT ?? "platformatic"}: ${seen} records in ${s.toFixed(1)} s, ${((cpu.user + cpu.system) / seen).toFixed(1)} µs CPU/record; peak RSS ${Math.round(peak)} MB, ` +
      `peak JS heap seen by the handler ${Math.round(peakHeap / 2 ** 20)} MB`,
  );
}
