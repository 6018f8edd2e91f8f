/**
 * Part — our enrichment next to the enrichment a Java team would write instead (issue #18): Kafka
 * Streams 3.9 DSL, a GlobalKTable of registrations, Jackson, at-least-once, one stream thread,
 * producer batch.size 262144, acks=all, zstd (bench/kafka-streams/).
 *   bun bench/kafka-streams.ts [--records 200000] [--linger 100] [--replicas 1]
 * --records: telemetry samples of the simulated fleet, plus the trends it publishes with them
 * (200,000 → 203,335 JSON records, pipeline.ts's data), pre-produced once to a fresh 6-partition
 * topic. The registrations come from the App Registry (SQLite, example registrations): our
 * enrichment watches it over gRPC, the peer reads the same lists from a compacted topic (key device
 * type, value the JSON list). A check on small topics first proves both write the same records
 * (peer-check.ts); then each reads the whole topic once, one after the other, in a fresh group into a
 * fresh output topic. Each run is a fresh process: "cold" is its whole first → last output window
 * (JIT warm-up and all), "warm" its second half (the later 50 % of output records by create time).
 * --replicas: ours is timed once per count in the list (e.g. 1,2), each against the same peer run;
 * the peer keeps its one stream thread, as the issue defines it (its JVM spreads over ~1.7 cores).
 */
import { parseArgs } from "node:util";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { IncomingRecord, OutgoingRecord } from "@iot/common/bus";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { createLogger } from "@iot/common/logger";
import { DLQ_HEADER, HEADER } from "@iot/common/wire";
import { createRegistrations } from "../services/enrichment/src/registrations";
import { generateRawRecords } from "./lib/fleet-data";
import { benchBus, createAdmin, readBack, useBroker } from "./lib/kafka";
import { ensurePeerJar, JVM_FLAGS, startPeer } from "./lib/kafka-streams-peer";
import { cpuOver, watchOutput } from "./lib/output-watch";
import { compareOutputs, createSampler } from "./lib/peer-check";
import { createRssWatch } from "./lib/proc";
import { writeResult } from "./lib/results";
import { type PipelineTopics, runId, startConsumers, startRegistry } from "./lib/services";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "200000" },
    linger: { type: "string", default: "100" },
    replicas: { type: "string", default: "1" },
  },
});
const [records, lingerMs] = [Number(flags.records), Number(flags.linger)];
const replicaCounts = flags.replicas.split(",").map(Number);
if (!(records > 0 && lingerMs >= 0 && replicaCounts.every((n) => Number.isInteger(n) && n >= 1 && n <= 6)))
  throw new Error(
    `--records must be > 0, --linger ≥ 0 and --replicas a list of 1–6; got "${flags.records}", "${flags.linger}", "${flags.replicas}"`,
  );
const CLIENT = "platformatic";
const REGISTRY_SYNC_MS = 30_000;
const run = runId();
// Each timed run gets its own output topics and group, so a count may repeat (`--replicas 1,1`).
let timedRuns = 0;
const topic = (name: string) => `bench.kstreams.${run}.${name}`;
type Consumer = "kafka-streams" | "ours";

await ensurePeerJar();
const broker = await useBroker();
const bus = await benchBus(broker.brokers, "bench-kafka-streams");
const admin = createAdmin(broker.brokers);
const registry = await startRegistry("sqlite");
const created: string[] = [];
const utf8 = new TextEncoder();

try {
  // 1. The registrations the peer joins: what our enrichment sees over gRPC, per device type.
  await admin.createTopics([topic("registrations")], 1, { "cleanup.policy": "compact" });
  created.push(topic("registrations"));
  const lists = await registrationsByType(registry.rpcUrl);
  await bus.publish(
    topic("registrations"),
    [...lists].map(([type, apps]) => ({ key: type, value: utf8.encode(JSON.stringify(apps)) })),
  );

  // 2. The data: the same records as pipeline.ts, and the check records made from them.
  await admin.createTopics([topic("raw")], 6);
  created.push(topic("raw"));
  const sampler = createSampler();
  const mix = await generateRawRecords(records, ["json"], async (chunk) => {
    sampler.see(chunk.get("json")!);
    await bus.publish(topic("raw"), chunk.get("json")!);
  });
  const total = mix.telemetry + mix.trends;
  const checkRecords = sampler.records();
  console.log(
    `pre-produced ${total} raw JSON records (${JSON.stringify(mix.by_device_type)}); check: ${checkRecords.length}`,
  );

  // 3. Same output, or nothing is timed.
  const outputs = {
    ours: await collect("ours", checkRecords),
    peer: await collect("kafka-streams", checkRecords),
  };
  const check = compareOutputs(outputs.ours, outputs.peer, checkRecords.length);
  printTable("Check: the peer's output against ours, record by record (enriched_at aside)", check);
  if (check.some((c) => !c.same)) throw new Error("the Kafka Streams peer does not write what our enrichment writes");

  // 4. The timed runs, one after the other on the same topic.
  const peer = await measure("kafka-streams", total, 1);
  const ours: RunResult[] = [];
  for (const n of replicaCounts) ours.push(await measure("ours", total, n));
  const runs = [peer, ...ours];
  const ratios = ours.map((o) => ({
    replicas: o.replicas,
    ratio: round(o.msgs_per_s / peer.msgs_per_s, 2),
    ratio_warm: round(o.warm_msgs_per_s / peer.warm_msgs_per_s, 2),
  }));
  printTable(`Enrichment of ${total} JSON records: ours (${CLIENT}) and Kafka Streams, cold and warm`, [
    ...runs.map(({ first_ms: _f, last_ms: _l, ...r }) => r),
  ]);
  for (const r of ratios)
    console.log(`ours ×${r.replicas} ÷ Kafka Streams: ${r.ratio} cold, ${r.ratio_warm} warm (goal ≥ 1.5)`);
  await writeResult("kafka-streams", broker.version, {
    raw_records: total,
    raw_mix: mix,
    peer: {
      kafka_streams: "3.9.2 DSL, GlobalKTable (in-memory store) of registrations, Jackson 2.18",
      config: `at_least_once, num.stream.threads=1, producer batch.size=262144, linger.ms=${lingerMs}, acks=all, compression zstd`,
      jvm: `Java ${javaVersion()}, ${JVM_FLAGS.join(" ")}`,
    },
    ours: `services/enrichment, ${replicaCounts.join(" and ")} replica(s), KAFKA_CLIENT=${CLIENT}, JSON`,
    warm: "the later half of each run's output records (by create time)",
    check,
    // The first count's ratios keep the names earlier results used.
    ratio: ratios[0]!.ratio,
    ratio_warm: ratios[0]!.ratio_warm,
    ratios,
    runs,
  });
} finally {
  await admin.deleteTopics(created).catch((e) => console.error(`cleanup: ${e}`));
  await admin.disconnect();
  await registry.stop();
  await bus.stop();
  await broker.stop();
}

async function registrationsByType(rpcUrl: string) {
  const registrations = createRegistrations({
    transport: createGrpcTransport({ baseUrl: rpcUrl }),
    log: createLogger("bench-kafka-streams", { level: "error" }),
    relistMs: REGISTRY_SYNC_MS,
  });
  registrations.start();
  try {
    for (const deadline = Date.now() + REGISTRY_SYNC_MS; !registrations.current; await Bun.sleep(50))
      if (Date.now() > deadline) throw new Error(`no registrations snapshot from ${rpcUrl}`);
    const types = (await loadDeviceRegistry("config/device-registry.json")).types.keys();
    return new Map([...types].map((t) => [t, registrations.lookup(t).applications]));
  } finally {
    await registrations.stop();
  }
}

function start(consumer: Consumer, topics: PipelineTopics, replicas: number) {
  return consumer === "kafka-streams"
    ? startPeer({
        brokers: broker.brokers,
        topics,
        registrations: topic("registrations"),
        lingerMs,
      })
    : startConsumers("enrichment", replicas, {
        brokers: broker.brokers,
        client: CLIENT,
        topics,
        format: "json",
        registryRpcUrl: registry.rpcUrl,
      });
}

/**
 * One consumer's run over `input` into fresh topics, until `expected` records are out; the CPU samples.
 * `whenReady` runs once the consumer is ready (ours: its registrations synced).
 */
async function runOnce(
  consumer: Consumer,
  input: string,
  expected: number,
  label: string,
  replicas: number,
  whenReady?: () => Promise<void>,
) {
  const name = `${consumer}.${label}`;
  const topics = {
    raw: input,
    enriched: topic(`${name}.out`),
    dlq: topic(`${name}.dlq`),
    group: `bench-kstreams-${run}-${name}`,
  };
  await admin.createTopics([topics.enriched, topics.dlq], 6);
  created.push(topics.enriched, topics.dlq);
  const started = performance.now();
  const procs = await start(consumer, topics, replicas);
  const rss = createRssWatch();
  procs.pids.forEach((pid) => rss.track(pid, consumer));
  try {
    if (whenReady) {
      await procs.ready();
      await whenReady();
    }
    const cpu = await watchOutput(admin, [topics.enriched, topics.dlq], expected, procs, consumer, broker.pid);
    return {
      topics,
      cpu,
      wall_s: round((performance.now() - started) / 1000, 1),
      peak_rss_mb: rss.peakOf(consumer) ?? 0,
    };
  } finally {
    rss.stop();
    await procs.stop();
  }
}

/**
 * The check records through one consumer. Written to a topic of the consumer's own once it is ready:
 * records ours reads before its first registrations snapshot are enriched as not current, by design.
 */
async function collect(consumer: Consumer, records: OutgoingRecord[]) {
  const input = topic(`check.${consumer}`);
  await admin.createTopics([input], 1);
  created.push(input);
  const { topics } = await runOnce(consumer, input, records.length, "check", 1, () => bus.publish(input, records));
  const enriched: IncomingRecord[] = [];
  const dead: IncomingRecord[] = [];
  await readBack(bus, admin, topics.enriched, HEADER.messageId, (m) => enriched.push(m));
  await readBack(bus, admin, topics.dlq, DLQ_HEADER.offset, (m) => dead.push(m));
  return { enriched, dead };
}

interface RunResult {
  consumer: Consumer;
  replicas: number;
  records_out: number;
  duplicates: number;
  dead_letters: number;
  first_to_last_s: number;
  msgs_per_s: number;
  cpu_us_per_msg: number;
  warm_msgs_per_s: number;
  warm_cpu_us_per_msg: number;
  cpu_pct: number;
  broker_cpu_pct: number | null;
  peak_rss_mb: number;
  wire_bytes_per_msg: number;
  wall_s: number;
  first_ms: number;
  last_ms: number;
}

async function measure(consumer: Consumer, expected: number, replicas: number): Promise<RunResult> {
  const label = `timed${++timedRuns}x${replicas}`;
  const { topics, cpu, wall_s, peak_rss_mb } = await runOnce(consumer, topic("raw"), expected, label, replicas);
  const times: number[] = [];
  const out = await readBack(bus, admin, topics.enriched, HEADER.messageId, (m) => times.push(m.timestamp));
  const deadLetters = await admin.records([topics.dlq]);
  const wireBytes = await admin.storedBytes([topics.enriched]);
  await admin.deleteTopics([topics.enriched, topics.dlq]);
  times.sort((a, b) => a - b);
  const half = Math.floor(times.length / 2);
  const warmFrom = times[half]!;
  const seconds = (out.last_ms - out.first_ms) / 1000;
  const all = cpuOver(cpu, out.first_ms, out.last_ms);
  const warm = cpuOver(cpu, warmFrom, out.last_ms);
  const r: RunResult = {
    consumer,
    replicas,
    records_out: out.records,
    duplicates: out.records - out.distinct_message_ids,
    dead_letters: deadLetters,
    first_to_last_s: round(seconds, 2),
    msgs_per_s: Math.round(out.records / seconds),
    cpu_us_per_msg: round((all.processes * 1e6) / out.records, 1),
    warm_msgs_per_s: Math.round((times.length - half) / ((out.last_ms - warmFrom) / 1000)),
    warm_cpu_us_per_msg: round((warm.processes * 1e6) / (times.length - half), 1),
    cpu_pct: Math.round((all.processes / all.seconds) * 100),
    broker_cpu_pct: broker.pid ? Math.round((all.broker / all.seconds) * 100) : null,
    peak_rss_mb,
    wire_bytes_per_msg: Math.round(wireBytes / out.records),
    wall_s,
    first_ms: out.first_ms,
    last_ms: out.last_ms,
  };
  console.log(
    `${consumer} ×${replicas}: ${r.msgs_per_s} msg/s cold, ${r.warm_msgs_per_s} warm, ${r.cpu_us_per_msg} µs CPU/record`,
  );
  return r;
}

function javaVersion(): string {
  const v = Bun.spawnSync(["java", "-version"]).stderr.toString();
  return /version "([^"]+)"/.exec(v)?.[1] ?? "unknown";
}
