/**
 * The consume half of the bus alone: CPU per record of a reader that catches up on a topic with a
 * handler that does nothing, so the figure is the Kafka client and the subscription (fetch decode,
 * decompression, stream, grouping, IncomingRecord). Two topics are written once, as the services
 * write them: raw JSON records uncompressed with the headers the ingest gateway adds, and the same
 * records through enrichment's own batch handler (zstd, the example registrations). Each reader is a
 * child process, started per topic and round, so A/B runs of two checkouts interleave on the same topics:
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/consume-cpu.ts --prepare [--records 100000]   (prints the topics)
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/consume-cpu.ts --topic <name> [--cpu-prof <dir>]
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/consume-cpu.ts --delete <name>,<name>
 * CPU is counted from the first batch handed out to the last, over the records after the first batch,
 * so joining the group is left out.
 */
import { parseArgs } from "node:util";
import type { OutgoingRecord } from "@iot/common/bus";
import { createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import { createLogger } from "@iot/common/logger";
import { HEADER } from "@iot/common/wire";
import { enrichedBatches, rawIncoming } from "../lib/enrichment-inputs";
import { createAdmin } from "../lib/kafka";
import { runId } from "../lib/services";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    prepare: { type: "boolean", default: false },
    records: { type: "string", default: "100000" },
    topic: { type: "string" },
    delete: { type: "string" },
    "cpu-prof": { type: "string" },
  },
});
/** Records a publish, as enrichment's handler batches them. */
const BATCH = 500;
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is required");
const busFor = (enrichedTopic: string, clientId: string) =>
  createKafkaBusFromConfig(
    loadBusConfig({ KAFKA_BROKERS: brokers, TOPIC_ENRICHED: enrichedTopic }),
    clientId,
    createLogger(clientId, { level: "error" }),
  );

if (flags.prepare) await prepare(Number(flags.records));
else if (flags.delete) await remove(flags.delete.split(","));
else if (flags.topic && process.env.CONSUME_CPU_CHILD) await consume(flags.topic);
else if (flags.topic) await spawnReader(flags.topic);
else throw new Error("one of --prepare, --topic or --delete is required");

async function prepare(count: number) {
  const id = runId();
  const raw = `bench.consume-cpu.raw.${id}`;
  const enriched = `bench.consume-cpu.enriched.${id}`;
  const admin = createAdmin(brokers!);
  await admin.createTopics([raw, enriched], 6);
  // The enriched topic is the one the bus compresses (zstd); raw goes out uncompressed.
  const bus = busFor(enriched, "consume-cpu-producer");
  try {
    await bus.start();
    const input = (await rawIncoming(count, ["json"])).get("json")!;
    const ingested: OutgoingRecord[] = input.map((r) => ({
      key: r.key,
      value: r.value,
      headers: { ...r.headers, [HEADER.deviceId]: r.key!, [HEADER.transport]: "mqtt" },
    }));
    for (let i = 0; i < ingested.length; i += BATCH) await bus.publish(raw, ingested.slice(i, i + BATCH));
    for (const batch of await enrichedBatches(input, BATCH)) await bus.publish(enriched, batch);
    console.log(`${raw} ${enriched} ${await admin.records([raw])}`);
  } finally {
    await bus.stop();
    await admin.disconnect();
  }
}

async function remove(topics: string[]) {
  const admin = createAdmin(brokers!);
  await admin.deleteTopics(topics);
  await admin.disconnect();
}

async function spawnReader(topic: string) {
  const prof = flags["cpu-prof"] ? ["--cpu-prof", "--cpu-prof-dir", flags["cpu-prof"]] : [];
  const child = Bun.spawn(["bun", ...prof, import.meta.path, "--topic", topic], {
    // The heap sizing every service runs with (services/common/src/testing-process.ts).
    env: { BUN_JSC_forceRAMSize: "268435456", ...process.env, CONSUME_CPU_CHILD: "1" },
    stdout: "inherit",
    stderr: "inherit",
  });
  if ((await child.exited) !== 0) throw new Error(`reader exited ${child.exitCode}`);
}

async function consume(topic: string) {
  const admin = createAdmin(brokers!);
  const total = await admin.records([topic]);
  await admin.disconnect();
  const bus = busFor(topic, "consume-cpu-reader");
  let seen = 0;
  let counted = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  let t0 = 0;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  await bus.start();
  const sub = await bus.subscribe({
    groupId: `consume-cpu-${runId()}`,
    topics: [topic],
    fromBeginning: true,
    handler: async (batch) => {
      seen += batch.records.length;
      if (cpu0 === undefined) {
        cpu0 = process.cpuUsage();
        t0 = performance.now();
      } else counted += batch.records.length;
      if (seen >= total) done();
    },
  });
  await finished;
  const cpu = process.cpuUsage(cpu0);
  const s = (performance.now() - t0) / 1000;
  await sub.stop();
  await bus.stop();
  const kind = topic.includes(".raw.") ? "raw (none)" : "enriched (zstd)";
  console.log(
    `${kind}: ${counted} records in ${s.toFixed(2)} s, ${((cpu.user + cpu.system) / counted).toFixed(2)} µs CPU/record`,
  );
}
