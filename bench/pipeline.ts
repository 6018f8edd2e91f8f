/**
 * Part 1 — pipeline throughput, next to its ceiling.
 *   bun bench/pipeline.ts [--messages 200000] [--formats json,protobuf] [--replicas 1,2] [--repeat 2]
 *     [--clients kafkajs,platformatic] [--cpu-prof]
 * Pre-produces ≥ --messages realistic raw records (lib/fleet-data.ts) per format to a fresh raw topic
 * (6 partitions), then for each replica count runs the passthrough (bench/passthrough.ts) and
 * enrichment (services/enrichment) as child processes in a fresh group writing a fresh output
 * topic, with the App Registry (SQLite, example registrations) running; all of that --repeat times,
 * and each configuration's figure is its best run (interference on a shared machine only ever
 * slows a run down). Throughput is measured from the first to the last output record's create
 * time, read back after the run. CPU of the replicas and the broker is taken over that same window. --cpu-prof profiles the enrichment
 * and passthrough replicas (bun --cpu-prof) into bench/results/profiles/. Every configuration runs
 * once per Kafka client (KAFKA_CLIENT), so the clients compare within one run; wire bytes are what
 * the output topic takes on the broker (batches as sent, compressed: KAFKA_COMPRESSION).
 */
import { parseArgs } from "node:util";
import type { PayloadFormat } from "@iot/common/codec";
import { HEADER } from "@iot/common/wire";
import { generateRawRecords } from "./lib/fleet-data";
import { benchBus, createAdmin, readBack, useBroker } from "./lib/kafka";
import { type CpuSample, cpuOver, watchOutput } from "./lib/output-watch";
import { createRssWatch } from "./lib/proc";
import { RESULTS_DIR, writeResult } from "./lib/results";
import { clientsFlag, type KafkaClient, runId, startConsumers, startRegistry } from "./lib/services";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    messages: { type: "string", default: "200000" },
    formats: { type: "string", default: "json,protobuf" },
    replicas: { type: "string", default: "1,2" },
    repeat: { type: "string", default: "2" },
    clients: { type: "string", default: "kafkajs,platformatic" },
    "cpu-prof": { type: "boolean", default: false },
  },
});
const MB = 1024 * 1024;
const formats = flags.formats.split(",") as PayloadFormat[];
const replicaCounts = flags.replicas.split(",").map(Number);
const clients = clientsFlag(flags.clients);
const run = runId();

const broker = await useBroker();
const bus = await benchBus(broker.brokers, "bench-pipeline");
const admin = createAdmin(broker.brokers);
const registry = await startRegistry("sqlite");
const rawTopic = (f: string) => `bench.pipeline.${run}.${f}.raw`;
const created: string[] = [];

try {
  // 1. The data, once per format, from the same simulated fleet.
  await admin.createTopics(formats.map(rawTopic), 6);
  created.push(...formats.map(rawTopic));
  const rawBytes = new Map(formats.map((f) => [f, 0]));
  const t0 = performance.now();
  const mix = await generateRawRecords(Number(flags.messages), formats, async (chunk) => {
    await Promise.all(
      [...chunk].map(([f, records]) => {
        rawBytes.set(f, rawBytes.get(f)! + records.reduce((n, r) => n + r.value.byteLength, 0));
        return bus.publish(rawTopic(f), records);
      }),
    );
  });
  const rawRecords = mix.telemetry + mix.trends;
  console.log(
    `pre-produced ${rawRecords} raw records per format (${mix.telemetry} telemetry, ${mix.trends} trends; ${JSON.stringify(mix.by_device_type)}) in ${round((performance.now() - t0) / 1000, 1)} s`,
  );

  // 2. The runs: passthrough and enrichment alternate so that drift on a shared machine hits both alike.
  const runs: RunResult[] = [];
  for (let pass = 1; pass <= Number(flags.repeat); pass++) {
    for (const client of clients) {
      for (const format of formats) {
        for (const replicas of replicaCounts) {
          for (const consumer of ["passthrough", "enrichment"] as const) {
            const r = await measure(client, consumer, format, replicas, rawRecords, rawBytes.get(format)!, pass);
            runs.push(r);
            console.log(
              `#${pass} ${client} ${consumer} ${format} ×${replicas}: ${r.msgs_per_s} msg/s (${r.first_to_last_s} s first→last, replicas ${r.replica_cpu_pct} % CPU, broker ${r.broker_cpu_pct} % CPU)`,
            );
          }
        }
      }
    }
  }

  const summary = clients.flatMap((client) =>
    formats.flatMap((format) =>
      replicaCounts.map((replicas) => {
        const mine = (c: string) =>
          runs.filter((r) => r.client === client && r.consumer === c && r.format === format && r.replicas === replicas);
        const best = (c: string) => Math.max(...mine(c).map((r) => r.msgs_per_s));
        const [e, p] = [best("enrichment"), best("passthrough")];
        const wire = Math.min(...mine("enrichment").map((r) => r.wire_bytes_per_msg));
        return {
          client,
          format,
          replicas,
          enriched_msgs_per_s: e,
          passthrough_msgs_per_s: p,
          ratio: round(e / p, 2),
          wire_bytes_per_enriched_msg: wire,
        };
      }),
    ),
  );
  printTable(
    "Pipeline runs (first → last output record; MB = 2^20 bytes of record values)",
    runs.map(({ first_ms: _f, last_ms: _l, ...r }) => r),
  );
  printTable(`Pipeline: enrichment ÷ passthrough per Kafka client (best of ${flags.repeat} runs each)`, summary);
  const best = summary.reduce((a, b) => (b.enriched_msgs_per_s > a.enriched_msgs_per_s ? b : a));
  // A profiled run is slower than a real one: it never overwrites the benchmark's figures.
  await writeResult(flags["cpu-prof"] ? "pipeline-cpu-prof" : "pipeline", broker.version, {
    raw_records_per_format: rawRecords,
    raw_mix: mix,
    partitions: 6,
    registry: "app-registry child process, SQLite, example registrations",
    ...best,
    best_of: `${best.client}, ${best.format}, ${best.replicas} replica(s)`,
    summary,
    runs,
    cpu_profiles: flags["cpu-prof"] ? `${RESULTS_DIR}/profiles` : undefined,
  });
} finally {
  await admin.deleteTopics(created).catch((e) => console.error(`cleanup: ${e}`));
  await admin.disconnect();
  await registry.stop();
  await bus.stop();
  await broker.stop();
}

interface RunResult {
  pass: number;
  client: KafkaClient;
  consumer: "passthrough" | "enrichment";
  format: string;
  replicas: number;
  records_out: number;
  duplicates: number;
  dead_letters: number;
  first_to_last_s: number;
  msgs_per_s: number;
  mb_in_per_s: number;
  mb_out_per_s: number;
  bytes_in_per_msg: number;
  bytes_out_per_msg: number;
  /** What the output topic takes on the broker per record: batches as sent, compressed or not. */
  wire_bytes_per_msg: number;
  /** CPU of all replicas over the first → last window, % of one core. */
  replica_cpu_pct: number;
  /** The same per output record: what a record costs, whatever else the machine was doing. */
  replica_cpu_us_per_msg: number;
  broker_cpu_pct: number | null;
  peak_rss_mb: number;
  /** From spawning the replicas to the last record being written (start-up and group join included). */
  wall_s: number;
  first_ms: number;
  last_ms: number;
}

async function measure(
  client: KafkaClient,
  consumer: "passthrough" | "enrichment",
  format: PayloadFormat,
  replicas: number,
  expected: number,
  inBytes: number,
  pass: number,
): Promise<RunResult> {
  const name = `${run}.${client}.${format}.${consumer}${replicas}.${pass}`;
  const topics = {
    raw: rawTopic(format),
    enriched: `bench.pipeline.${name}.out`,
    dlq: `bench.pipeline.${name}.dlq`,
    group: `bench-pipeline-${name}`,
  };
  await admin.createTopics([topics.enriched, topics.dlq], 6);
  created.push(topics.enriched, topics.dlq);
  const started = performance.now();
  const cpuProfile = flags["cpu-prof"]
    ? { dir: `${RESULTS_DIR}/profiles`, name: `pipeline-${client}-${consumer}-${format}-x${replicas}-${pass}` }
    : undefined;
  const procs = await startConsumers(consumer, replicas, {
    brokers: broker.brokers,
    client,
    topics,
    format,
    registryRpcUrl: registry.rpcUrl,
    cpuProfile,
  });
  const rss = createRssWatch();
  procs.pids.forEach((pid) => rss.track(pid, consumer));
  let wall: number;
  let cpu: CpuSample[];
  try {
    cpu = await watchOutput(
      admin,
      [topics.enriched, topics.dlq],
      expected,
      procs,
      `${consumer} ${format} ×${replicas}`,
      broker.pid,
    );
    wall = (performance.now() - started) / 1000;
  } finally {
    rss.peaks();
    rss.stop();
    await procs.stop();
  }
  const out = await readBack(bus, admin, topics.enriched, HEADER.messageId);
  const deadLetters = await admin.records([topics.dlq]);
  const wireBytes = await admin.storedBytes([topics.enriched]);
  await admin.deleteTopics([topics.enriched, topics.dlq]);
  const seconds = (out.last_ms - out.first_ms) / 1000;
  const used = cpuOver(cpu, out.first_ms, out.last_ms);
  return {
    pass,
    client,
    consumer,
    format,
    replicas,
    records_out: out.records,
    duplicates: out.records - out.distinct_message_ids,
    dead_letters: deadLetters,
    first_to_last_s: round(seconds, 2),
    msgs_per_s: Math.round(out.records / seconds),
    mb_in_per_s: round(inBytes / MB / seconds, 1),
    mb_out_per_s: round(out.value_bytes / MB / seconds, 1),
    bytes_in_per_msg: Math.round(inBytes / expected),
    bytes_out_per_msg: Math.round(out.value_bytes / out.records),
    wire_bytes_per_msg: Math.round(wireBytes / out.records),
    replica_cpu_pct: Math.round((used.processes / used.seconds) * 100),
    replica_cpu_us_per_msg: round((used.processes * 1e6) / out.records, 1),
    broker_cpu_pct: broker.pid ? Math.round((used.broker / used.seconds) * 100) : null,
    peak_rss_mb: rss.peakOf(consumer) ?? 0,
    wall_s: round(wall, 1),
    first_ms: out.first_ms,
    last_ms: out.last_ms,
  };
}
