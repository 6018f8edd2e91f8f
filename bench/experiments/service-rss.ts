/**
 * One enriched-topic reader (the dashboard or history) alone, under memory-5k's load: a paced producer
 * offers the bench fleet's raw records and their enriched records (one application registered for
 * every type, zstd batches as enrichment sends them) at `--rate` msg/s for `--seconds`, nothing else
 * running. Per run: peak RSS (VmHWM), CPU µs per enriched record from the load's start until the
 * service's group caught up, and the catch-up time. `--trees` runs the same service from several
 * checkouts, interleaved round by round (A/B on a shared machine), each through its own checkout's
 * scripts/run-service.sh.
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/service-rss.ts --service dashboard \
 *     --trees /work/wt/x-base,/work/wt/x [--rounds 3] [--rate 5000] [--seconds 30]
 * `--env NAME=value` (repeatable) sets the service's environment; `--no-raw` offers enriched records only.
 * MEMORY_LOG=<file> with BUN_OPTIONS="--preload <tree>/bench/experiments/memory-preload.ts" traces the heap.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import type { OutgoingRecord } from "@iot/common/bus";
import { createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import { retrying } from "@iot/common/bus/retrying";
import { createLogger } from "@iot/common/logger";
import { freePort, spawnService } from "@iot/common/testing-process";
import { BENCH_APPLICATION, createBenchEnricher } from "../lib/enriched-fleet";
import { generateRawRecords } from "../lib/fleet-data";
import { createAdmin } from "../lib/kafka";
import { cycle, paced } from "../lib/paced";
import { cpuSeconds, rssMb } from "../lib/proc";
import { platformTopics, runId, waitReady } from "../lib/services";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    service: { type: "string", default: "dashboard" },
    trees: { type: "string", default: "." },
    rounds: { type: "string", default: "1" },
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "30" },
    env: { type: "string", multiple: true, default: [] },
    "no-raw": { type: "boolean", default: false },
    smaps: { type: "boolean", default: false },
  },
});
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is required");
const service = flags.service!;
const trees = flags.trees!.split(",").map((t) => resolve(t));
const [rate, seconds] = [Number(flags.rate), Number(flags.seconds)];
const extraEnv = Object.fromEntries(
  flags.env!.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
);

const enrichedOf = await createBenchEnricher([BENCH_APPLICATION]);
const raw: OutgoingRecord[] = [];
const enriched: OutgoingRecord[] = [];
await generateRawRecords(60_000, ["json"], async (chunk) => {
  for (const r of chunk.get("json")!) {
    raw.push(r);
    enriched.push(enrichedOf(r));
  }
});

for (let round = 1; round <= Number(flags.rounds); round++)
  for (const tree of trees) {
    const r = await runOnce(tree);
    console.log(
      `round ${round} ${tree}: peak RSS ${r.peak.toFixed(1)} MB, ${r.cpuUs.toFixed(1)} µs CPU an enriched record, ` +
        `${r.sent} sent at ${Math.round(r.offered)}/s, caught up ${r.caughtUp ?? "not within 60"} s after; load ${r.load}`,
    );
  }

async function runOnce(tree: string) {
  // Admins of their own: a kafkajs admin keeps refreshing the metadata of every topic it has seen, deleted ones too.
  const kafka = new Kafka({
    clientId: "service-rss-admin",
    brokers: brokers!.split(","),
    logLevel: logLevel.NOTHING,
  }).admin();
  await kafka.connect();
  const admin = createAdmin(brokers!);
  const run = runId();
  const topics = platformTopics("srss", run);
  await admin.createTopics(Object.values(topics), 6);
  const db = join(tmpdir(), `bench-srss-${run}.db`);
  const group = `bench-srss-${run}-${service}`;
  const upper = service.toUpperCase();
  const port = await freePort();
  const bus = createKafkaBusFromConfig(
    loadBusConfig({ KAFKA_BROKERS: brokers!, ...topics }),
    "service-rss-producer",
    createLogger("service-rss", { level: "error" }),
  );
  await bus.start();
  const proc = spawnService(
    join(tree, `services/${service}/src/main.ts`),
    {
      ...topics,
      KAFKA_BROKERS: brokers!,
      KAFKA_PARTITIONS: "6",
      LOG_LEVEL: "warn",
      [`${upper}_PORT`]: String(port),
      [`${upper}_GROUP`]: group,
      [`${upper}_DB_PATH`]: db,
      ...extraEnv,
    },
    tree,
  );
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, 60_000, proc);
    const pid = proc.proc.pid;
    await bus.publish(topics.TOPIC_RAW, raw.slice(0, 100));
    await bus.publish(topics.TOPIC_ENRICHED, enriched.slice(0, 100));
    await caughtUp(kafka, group, topics.TOPIC_ENRICHED, 60_000);
    const cpu0 = cpuSeconds(pid);
    const { sent, elapsedS: elapsed } = await paced(rate, seconds, (from, n) =>
      Promise.all([
        flags["no-raw"] ? undefined : bus.publish(topics.TOPIC_RAW, cycle(raw, from, n)),
        bus.publish(topics.TOPIC_ENRICHED, cycle(enriched, from, n)),
      ]),
    );
    if (flags.smaps) console.log(await residentAt(pid));
    const after = await caughtUp(kafka, group, topics.TOPIC_ENRICHED, 60_000).catch(() => null);
    const cpuUs = ((cpuSeconds(pid) - cpu0) / sent) * 1e6;
    if (proc.proc.exitCode !== null) throw new Error(`${service} exited:\n${proc.lines.slice(-20).join("\n")}`);
    return {
      peak: rssMb(pid)!.peak,
      cpuUs,
      sent,
      offered: sent / elapsed,
      caughtUp: after === null ? null : (after / 1000).toFixed(1),
      load: (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" "),
    };
  } finally {
    await proc.stop();
    await bus.stop();
    await admin.deleteTopics(Object.values(topics)).catch((e) => console.error(`cleanup: ${e}`));
    for (const s of ["", "-wal", "-shm"]) rmSync(db + s, { force: true });
    await kafka.disconnect();
    await admin.disconnect();
  }
}

/** Resolves with the ms it took the group's committed offsets to reach the topic's end. */
async function caughtUp(
  kafka: ReturnType<Kafka["admin"]>,
  groupId: string,
  topic: string,
  timeoutMs: number,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    // Right after createTopics (or under load) the broker may answer UNKNOWN_TOPIC_OR_PARTITION for a moment.
    const end = (await retrying(() => kafka.fetchTopicOffsets(topic))).reduce((n, p) => n + Number(p.high), 0);
    const [committed] = await retrying(() => kafka.fetchOffsets({ groupId, topics: [topic] }));
    const at = committed!.partitions.reduce((n, p) => n + Math.max(0, Number(p.offset)), 0);
    if (at >= end) return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`${groupId}: ${end - at} behind`);
    await Bun.sleep(100);
  }
}

/** Where the process's resident memory is, as the load ends: anonymous and file pages, the largest mappings. */
async function residentAt(pid: number): Promise<string> {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = (f: string) => Math.round(Number(new RegExp(`${f}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
  const maps: Array<[number, string]> = [];
  let name = "";
  for (const line of (await Bun.file(`/proc/${pid}/smaps`).text()).split("\n")) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) name = head[1] || "[anon]";
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && Number(rss[1]) >= 1024) maps.push([Math.round(Number(rss[1]) / 1024), name]);
  }
  maps.sort((a, b) => b[0] - a[0]);
  return `pid ${pid} at the load's end: RSS ${kb("VmRSS")} MB (anonymous ${kb("RssAnon")}, file ${kb("RssFile")}); mappings >= 1 MB: ${maps.map(([mb, n]) => `${mb} ${n}`).join(", ")}`;
}
