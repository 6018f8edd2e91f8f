/**
 * Part 2 — end-to-end latency at offered rates, next to its ceiling.
 *   bun bench/latency.ts [--rates 1000,5000,20000] [--warmup 3] [--seconds 15] [--format json]
 *     [--consumers enrichment,passthrough] [--clients kafkajs,platformatic] [--reader kafkajs|platformatic] [--cpu-prof]
 * Per consumer (one enrichment process with the App Registry running, then the passthrough as the
 * ceiling), on fresh topics: a paced producer here publishes realistic raw records
 * (lib/fleet-data.ts, pre-encoded) at each rate in turn, and bench/latency-consumer.ts consumes the
 * output topic with the client under test, as a platform consumer on that client would (`--reader`
 * pins one client for every run instead). Latency = consume time − the output record's
 * `source-timestamp` header (the raw record's produce time), for records produced in each rate's measured window (after its warm-up);
 * it splits at the output record's own create time into the enrichment hop and the delivery hop.
 * Same clock: everything runs on this machine. Each consumer runs once per Kafka client (KAFKA_CLIENT). --cpu-prof profiles the enrichment process into
 * bench/results/profiles/.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { OutgoingRecord } from "@iot/common/bus";
import type { PayloadFormat } from "@iot/common/codec";
import { generateRawRecords } from "./lib/fleet-data";
import { benchBus, createAdmin, useBroker } from "./lib/kafka";
import { readSamples } from "./lib/latency-samples";
import { cpuSeconds, createRssWatch } from "./lib/proc";
import { RESULTS_DIR, writeResult } from "./lib/results";
import { clientsFlag, firstLine, type KafkaClient, runId, startConsumers, startRegistry } from "./lib/services";
import { percentile, sortedCopy } from "./lib/stats";
import { printTable, round, type Row } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rates: { type: "string", default: "1000,5000,20000" },
    warmup: { type: "string", default: "3" },
    seconds: { type: "string", default: "15" },
    format: { type: "string", default: "json" },
    consumers: { type: "string", default: "enrichment,passthrough" },
    clients: { type: "string", default: "kafkajs,platformatic" },
    reader: { type: "string" },
    "cpu-prof": { type: "boolean", default: false },
  },
});
const rates = flags.rates.split(",").map(Number);
const [warmupMs, measureMs] = [Number(flags.warmup) * 1000, Number(flags.seconds) * 1000];
const format = flags.format as PayloadFormat;
const clients = clientsFlag(flags.clients);
const pinnedReader = flags.reader === undefined ? undefined : clientsFlag(flags.reader)[0];
const TICK_MS = 5;
const run = runId();

const broker = await useBroker();
const admin = createAdmin(broker.brokers);
const registry = await startRegistry("sqlite");
const pool: OutgoingRecord[] = [];
await generateRawRecords(60_000, [format], async (chunk) => void pool.push(...chunk.get(format)!));
const rows: Row[] = [];
const peaks: Record<string, number> = {};
try {
  for (const client of clients)
    for (const kind of flags.consumers.split(",") as Array<"enrichment" | "passthrough">)
      rows.push(...(await measure(kind, client)));
  printTable(`End-to-end latency, raw produce → output consumed (${format}, 1 replica, 6 partitions; ms)`, rows);
  const at5000 = (client: KafkaClient) =>
    (rows.find((r) => r.client === client && r.consumer === "enrichment" && r.offered_msgs_per_s === 5000)?.p99_ms as
      | number
      | undefined) ?? null;
  // A profiled run is slower than a real one: it never overwrites the benchmark's figures.
  await writeResult(flags["cpu-prof"] ? "latency-cpu-prof" : "latency", broker.version, {
    format,
    replicas: 1,
    warmup_s: warmupMs / 1000,
    p99_ms_at_5000_msgs_per_s: Object.fromEntries(clients.map((c) => [c, at5000(c)])),
    rates: rows,
    peak_rss_mb: peaks,
  });
} finally {
  await registry.stop();
  await admin.disconnect();
  await broker.stop();
}

async function measure(kind: "enrichment" | "passthrough", client: KafkaClient): Promise<Row[]> {
  const id = `${run}.${client}.${kind}`;
  const topics = {
    raw: `bench.latency.${id}.raw`,
    enriched: `bench.latency.${id}.out`,
    dlq: `bench.latency.${id}.dlq`,
    group: `bench-latency-${id}`,
  };
  const names = [topics.raw, topics.enriched, topics.dlq];
  const samplesFile = join(tmpdir(), `bench-latency-${id}.f64`);
  await admin.createTopics(names, 6);
  const cpuProfile =
    flags["cpu-prof"] && kind === "enrichment"
      ? { dir: join(RESULTS_DIR, "profiles"), name: `latency-enrichment-${client}-${format}` }
      : undefined;
  const service = await startConsumers(kind, 1, {
    brokers: broker.brokers,
    client,
    topics,
    format,
    registryRpcUrl: registry.rpcUrl,
    cpuProfile,
  });
  const pid = service.pids[0]!;
  const reader = pinnedReader ?? client;
  const consumer = Bun.spawn(
    ["bun", join(import.meta.dir, "latency-consumer.ts"), broker.brokers, topics.enriched, samplesFile, reader],
    { stdout: "pipe", stderr: "inherit" },
  );
  const rss = createRssWatch();
  const label = `${kind} (${client})`;
  rss.track(pid, label);
  // A producer per consumer: kafkajs keeps refreshing metadata of topics it produced to, deleted or not.
  const bus = await benchBus(broker.brokers, "bench-latency-producer");
  let sent = 0;
  const publish = async (n: number) => {
    const records = Array.from({ length: n }, (_, i) => pool[(sent + i) % pool.length]!);
    sent += n;
    await bus.publish(topics.raw, records);
  };
  try {
    await firstLine(consumer.stdout, "ready", "latency consumer");
    // Prime: the whole path is up (consumer joined, registry synced) before anything is timed.
    await publish(100);
    await admin.waitForRecords([topics.enriched], 100, 60_000);
    const phases = [];
    for (const rate of rates) {
      const start = Date.now();
      let phaseSent = 0;
      let from = { at: 0, sent: 0, cpu: 0 };
      for (let now = start; now < start + warmupMs + measureMs; now = Date.now()) {
        if (from.at === 0 && now >= start + warmupMs) from = { at: now, sent: phaseSent, cpu: cpuSeconds(pid) };
        const due = Math.floor((rate * (now - start)) / 1000) - phaseSent;
        if (due > 0) {
          phaseSent += due;
          await publish(due);
        } else await Bun.sleep(TICK_MS);
      }
      const to = Date.now();
      const s = (to - from.at) / 1000;
      phases.push({
        rate,
        from: from.at,
        to,
        produced_msgs_per_s: Math.round((phaseSent - from.sent) / s),
        cpu_pct: Math.round(((cpuSeconds(pid) - from.cpu) / s) * 100),
      });
      console.log(
        `${label}: ${rate} msg/s offered, ${phases.at(-1)!.produced_msgs_per_s} msg/s produced in the measured ${round(s, 1)} s`,
      );
    }
    // Everything produced is let through before the consumer stops: a backlog shows as latency, not as loss.
    await admin.waitForRecords([topics.enriched, topics.dlq], sent, 120_000).catch((e) => console.error(String(e)));
    peaks[label] = rss.peakOf(label) ?? 0;
    consumer.kill("SIGTERM");
    await consumer.exited;
    const samples = await readSamples(samplesFile);
    return phases.map((p) => {
      const mine = samples.filter((x) => x.source >= p.from && x.source < p.to);
      const total = sortedCopy(mine.map((x) => x.consumed - x.source));
      const hop1 = sortedCopy(mine.map((x) => x.enriched - x.source));
      const hop2 = sortedCopy(mine.map((x) => x.consumed - x.enriched));
      return {
        client,
        reader,
        consumer: kind,
        offered_msgs_per_s: p.rate,
        produced_msgs_per_s: p.produced_msgs_per_s,
        records_measured: total.length,
        p50_ms: percentile(total, 50),
        p99_ms: percentile(total, 99),
        max_ms: percentile(total, 100),
        // Where the time goes: raw produced → output produced (the consumer's hop), then → consumed.
        hop_p50_ms: percentile(hop1, 50),
        hop_p99_ms: percentile(hop1, 99),
        delivery_p50_ms: percentile(hop2, 50),
        delivery_p99_ms: percentile(hop2, 99),
        consumer_cpu_pct: p.cpu_pct,
      };
    });
  } finally {
    rss.stop();
    if (consumer.exitCode === null) consumer.kill("SIGTERM");
    await service.stop();
    await bus.stop();
    await admin.deleteTopics(names).catch((e) => console.error(`cleanup: ${e}`));
    await Bun.file(samplesFile)
      .delete()
      .catch(() => {});
  }
}
