/**
 * Delivery's memory at a paced rate, alone: memory-5k's path (a paced raw producer, enrichment,
 * delivery with one webhook application for every device type, a local receiver) without the other
 * readers of the enriched topic, so A/B pairs of delivery builds cost the shared machine less.
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/delivery-rss.ts [--rate 5000] [--seconds 30]
 *     [--tree <checkout whose services/delivery runs>] [--drain 60] [--every 5] [--label name]
 * Prints a timeline every `--every` s (delivery's RSS, items received, how far the receiver is behind
 * the enriched topic: whether delivery keeps up), then a RESULT line: delivery's peak RSS, its CPU a
 * record offered, items received by the load's end and after, and when the receiver had them all.
 * MEMORY_LOG=<file> (MEMORY_LOG_MS) preloads memory-preload.ts into delivery alone.
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import type { OutgoingRecord } from "@iot/common/bus";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import { generateRawRecords } from "../lib/fleet-data";
import { benchBus, createAdmin, useBroker } from "../lib/kafka";
import { cycle, paced } from "../lib/paced";
import { cpuSeconds, rssMb } from "../lib/proc";
import { ROOT } from "../lib/results";
import { platformTopics, registerWebhookForEveryType, runId, startRegistry, waitReady } from "../lib/services";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "30" },
    tree: { type: "string", default: ROOT },
    drain: { type: "string", default: "60" },
    label: { type: "string", default: "" },
    every: { type: "string", default: "5" },
  },
});
const [rate, seconds, drainS, every] = [
  Number(flags.rate),
  Number(flags.seconds),
  Number(flags.drain),
  Number(flags.every),
];
const run = runId();
const topics = platformTopics("drss", run);

const broker = await useBroker();
const admin = createAdmin(broker.brokers);
await admin.createTopics(Object.values(topics), 6);
const registry = await startRegistry("sqlite");
let received = 0;
// Whether every item arrived once: an item lost or repeated between delivery and the receiver shows here.
const check = { requests: 0, short: 0, ids: new Set<string>() };
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const items = (await req.json()) as { id: string }[];
    received += items.length;
    check.requests++;
    const said = Number(req.headers.get("webhook-id")?.split("+")[1] ?? 1);
    if (said !== items.length) check.short++;
    for (const i of items) check.ids.add(i.id);
    return new Response(null, { status: 204 });
  },
});
const procs: ServiceProcess[] = [];
const bus = await benchBus(broker.brokers, "bench-drss-producer");
try {
  await registerWebhookForEveryType(registry.httpUrl, `bench-drss-${run}`, `http://127.0.0.1:${receiver.port}/hook`);
  const common = {
    ...topics,
    KAFKA_BROKERS: broker.brokers,
    KAFKA_PARTITIONS: "6",
    REGISTRY_URL: registry.httpUrl,
    REGISTRY_RPC_URL: registry.rpcUrl,
    LOG_LEVEL: "warn",
  };
  const [ep, dp] = [await freePort(), await freePort()];
  const enrichment = spawnService("services/enrichment/src/main.ts", {
    ...common,
    ENRICHMENT_PORT: String(ep),
    ENRICHMENT_GROUP: `bench-drss-${run}-enrichment`,
  });
  procs.push(enrichment);
  const delivery = spawnService(
    join(flags.tree!, "services/delivery/src/main.ts"),
    {
      ...common,
      DELIVERY_PORT: String(dp),
      DELIVERY_GROUP_PREFIX: `bench-drss-${run}-delivery`,
      DELIVERY_ALLOWED_HOSTS: "127.0.0.1",
      // MEMORY_LOG=<file>: delivery alone appends its heap figures there (memory-preload.ts).
      ...(process.env.MEMORY_LOG && {
        BUN_OPTIONS: `--preload ${join(ROOT, "bench/experiments/memory-preload.ts")}`,
      }),
    },
    flags.tree,
  );
  procs.push(delivery);
  await waitReady(`http://127.0.0.1:${ep}/readyz`, 60_000, enrichment);
  await waitReady(`http://127.0.0.1:${dp}/readyz`, 60_000, delivery);
  const pid = delivery.proc.pid;

  const pool: OutgoingRecord[] = [];
  await generateRawRecords(60_000, ["json"], async (chunk) => void pool.push(...chunk.get("json")!));
  // Prime: groups joined, registry synced, the webhook channel delivering, before the load.
  await bus.publish(topics.TOPIC_RAW, pool.slice(0, 100));
  for (const deadline = Date.now() + 60_000; received < 100; await Bun.sleep(100))
    if (Date.now() > deadline) throw new Error(`the receiver got ${received} of 100 primed items`);
  const primed = received;
  const idle = rssMb(pid)!.rss;
  const timeline: string[] = [];
  const sample = async (t: number) => {
    const m = rssMb(pid)!;
    const ends = await admin.records([topics.TOPIC_ENRICHED]);
    timeline.push(
      `${t.toFixed(0).padStart(3)} s  rss ${m.rss.toFixed(0)} (peak ${m.peak.toFixed(0)}) MB  enriched ${ends - primed}  received ${received - primed}  behind ${ends - received}`,
    );
  };
  const cpu0 = cpuSeconds(pid);
  let nextSample = every;
  const { sent, elapsedS: elapsed } = await paced(
    rate,
    seconds,
    (from, n) => bus.publish(topics.TOPIC_RAW, cycle(pool, from, n)),
    (at) => {
      if (at < nextSample) return;
      void sample(nextSample);
      nextSample += every;
    },
  );
  const cpuLoad = cpuSeconds(pid) - cpu0;
  const atEnd = received - primed;
  const peakLoad = rssMb(pid)!.peak;
  const tEnd = Date.now();
  let drained: number | null = null;
  for (; Date.now() < tEnd + drainS * 1000; await Bun.sleep(100)) {
    if ((Date.now() - tEnd) / 1000 + seconds >= nextSample) {
      await sample(nextSample);
      nextSample += every;
    }
    if (received - primed >= sent) {
      drained = (Date.now() - tEnd) / 1000;
      break;
    }
  }
  const cpuAll = cpuSeconds(pid) - cpu0;
  const m = rssMb(pid)!;
  if (delivery.proc.exitCode !== null) throw new Error(`delivery exited:\n${delivery.lines.slice(-20).join("\n")}`);
  console.log(timeline.join("\n"));
  console.log(JSON.stringify(await (await fetch(`http://127.0.0.1:${dp}/api/v1/deliveries`)).json()));
  console.log(
    `receiver: ${check.requests} requests, ${check.short} with fewer items than their id says, ${check.ids.size} distinct ids, ${received} items`,
  );
  const line = {
    label: flags.label || flags.tree,
    produced_per_s: Math.round(sent / elapsed),
    idle_rss_mb: Math.round(idle),
    peak_rss_load_mb: Math.round(peakLoad),
    peak_rss_mb: Math.round(m.peak),
    items_at_load_end: atEnd,
    items_total: received - primed,
    sent,
    drained_s: drained,
    cpu_us_per_record_load: +((cpuLoad / sent) * 1e6).toFixed(1),
    cpu_us_per_item_all: +((cpuAll / Math.max(1, received - primed)) * 1e6).toFixed(1),
  };
  console.log(`RESULT ${JSON.stringify(line)}`);
} finally {
  await Promise.all(procs.map((p) => p.stop()));
  await bus.stop();
  receiver.stop(true);
  await registry.stop();
  await admin.deleteTopics(Object.values(topics)).catch((e) => console.error(`cleanup: ${e}`));
  await admin.disconnect();
  await broker.stop();
}
