/**
 * Memory at 5,000 msg/s: every bus-using service as a process of its own, on fresh topics, while a
 * paced producer offers realistic raw records of the default fleet.
 *   bun bench/memory-5k.ts [--rate 5000] [--seconds 30] [--format json] [--client platformatic]
 * Enrichment (with the App Registry on SQLite), delivery (one webhook application for every device
 * type, answered by a local receiver), alarms and history (SQLite files) and the dashboard read the
 * pipeline's topics as they would in production. Per process: peak RSS (VmHWM) and CPU over the paced
 * window (share of a core, and µs per raw record offered). The producer (kafkajs, here) is not
 * watched. Prints a table, writes bench/results/memory-5k.json.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { OutgoingRecord } from "@iot/common/bus";
import type { PayloadFormat } from "@iot/common/codec";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import { generateRawRecords } from "./lib/fleet-data";
import { benchBus, createAdmin, useBroker } from "./lib/kafka";
import { cpuSeconds, createRssWatch } from "./lib/proc";
import { writeResult } from "./lib/results";
import {
  clientsFlag,
  platformTopics,
  registerWebhookForEveryType,
  runId,
  startRegistry,
  waitReady,
} from "./lib/services";
import { cycle, paced } from "./lib/paced";
import { printTable, round } from "./lib/table";

const RSS_GOAL_MB = 150;
const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "30" },
    format: { type: "string", default: "json" },
    client: { type: "string", default: "platformatic" },
  },
});
const [rate, seconds] = [Number(flags.rate), Number(flags.seconds)];
const format = flags.format as PayloadFormat;
const [client] = clientsFlag(flags.client);
const run = runId();
const topics = platformTopics("mem", run);
const files = ["alarms", "history"].map((s) => join(tmpdir(), `bench-mem-${run}-${s}.db`));

const broker = await useBroker();
const admin = createAdmin(broker.brokers);
await admin.createTopics(Object.values(topics), 6);
const registry = await startRegistry("sqlite");
let delivered = 0;
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    delivered += ((await req.json()) as unknown[]).length;
    return new Response(null, { status: 204 });
  },
});
const services = new Map<string, { proc: ServiceProcess; port: number }>();
const bus = await benchBus(broker.brokers, "bench-memory-producer");
const rss = createRssWatch();
try {
  await registerWebhookForEveryType(registry.httpUrl, `bench-mem-${run}`, `http://127.0.0.1:${receiver.port}/hook`);
  const common = {
    ...topics,
    KAFKA_BROKERS: broker.brokers,
    KAFKA_CLIENT: client!,
    KAFKA_PARTITIONS: "6",
    PAYLOAD_FORMAT: format,
    REGISTRY_URL: registry.httpUrl,
    REGISTRY_RPC_URL: registry.rpcUrl,
    LOG_LEVEL: "warn",
  };
  const start = async (name: string, entry: string, env: (port: number) => Record<string, string>) => {
    const port = await freePort();
    services.set(name, { proc: spawnService(entry, { ...common, ...env(port) }), port });
  };
  await start("enrichment", "services/enrichment/src/main.ts", (p) => ({
    ENRICHMENT_PORT: String(p),
    ENRICHMENT_GROUP: `bench-mem-${run}-enrichment`,
  }));
  await start("delivery", "services/delivery/src/main.ts", (p) => ({
    DELIVERY_PORT: String(p),
    DELIVERY_GROUP_PREFIX: `bench-mem-${run}-delivery`,
    DELIVERY_ALLOWED_HOSTS: "127.0.0.1",
  }));
  await start("alarms", "services/alarms/src/main.ts", (p) => ({
    ALARMS_PORT: String(p),
    ALARMS_GROUP: `bench-mem-${run}-alarms`,
    ALARMS_DB_PATH: files[0]!,
  }));
  await start("history", "services/history/src/main.ts", (p) => ({
    HISTORY_PORT: String(p),
    HISTORY_GROUP: `bench-mem-${run}-history`,
    HISTORY_DB_PATH: files[1]!,
  }));
  await start("dashboard", "services/dashboard/src/main.ts", (p) => ({
    DASHBOARD_PORT: String(p),
    DASHBOARD_GROUP: `bench-mem-${run}-dashboard`,
  }));
  for (const [name, s] of services) {
    await waitReady(`http://127.0.0.1:${s.port}/readyz`, 60_000, s.proc);
    rss.track(s.proc.proc.pid, name);
  }
  rss.track(registry.pid, "app-registry");

  const pool: OutgoingRecord[] = [];
  await generateRawRecords(60_000, [format], async (chunk) => void pool.push(...chunk.get(format)!));
  const pids = new Map([...services].map(([name, s]) => [name, s.proc.proc.pid]));
  pids.set("app-registry", registry.pid);
  // Prime: the whole path is up (groups joined, registry synced, producer connected) before the load.
  await bus.publish(topics.TOPIC_RAW, pool.slice(0, 100));
  await admin.waitForRecords([topics.TOPIC_ENRICHED], 100, 60_000);
  const primed = 100;
  const cpu0 = new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
  const { sent, elapsedS: elapsed } = await paced(rate, seconds, (from, n) =>
    bus.publish(topics.TOPIC_RAW, cycle(pool, from, n)),
  );
  const cpu1 = new Map([...pids].map(([name, pid]) => [name, cpuSeconds(pid)]));
  // Only a pipeline that kept up makes the peaks figures "at 5,000 msg/s"; a backlog is reported, not hidden.
  const caughtUp = await admin
    .waitForRecords([topics.TOPIC_ENRICHED, topics.TOPIC_DLQ], primed + sent, 60_000)
    .then((ms) => round(ms / 1000, 1))
    .catch(() => null);
  for (const [name, s] of services)
    if (s.proc.proc.exitCode !== null) throw new Error(`${name} exited:\n${s.proc.lines.slice(-20).join("\n")}`);
  const peaks = new Map(rss.peaks().map((p) => [p.label, p.peak_rss_mb]));
  const rows = [...pids.keys()].map((name) => ({
    process: name === "app-registry" ? name : `${name} (${client})`,
    peak_rss_mb: peaks.get(name) ?? null,
    cpu_pct: Math.round(((cpu1.get(name)! - cpu0.get(name)!) / elapsed) * 100),
    // Per raw record offered in the window: what a memory setting costs, comparable across loads.
    cpu_us_per_record: round(((cpu1.get(name)! - cpu0.get(name)!) / sent) * 1e6, 1),
    [`under_${RSS_GOAL_MB}_mb`]: (peaks.get(name) ?? Infinity) < RSS_GOAL_MB,
  }));
  const offered = Math.round(sent / elapsed);
  printTable(
    `Memory at ${rate} raw msg/s offered (${offered} produced over ${round(elapsed, 1)} s, ${format}, 6 partitions; ` +
      `webhook items received ${delivered}; enriched caught up ${caughtUp ?? "not within 60"} s after the load)`,
    rows,
  );
  await writeResult("memory-5k", broker.version, {
    client,
    format,
    offered_msgs_per_s: rate,
    produced_msgs_per_s: offered,
    seconds: round(elapsed, 1),
    caught_up_s: caughtUp,
    webhook_items: delivered,
    goal_mb: RSS_GOAL_MB,
    processes: rows,
  });
} finally {
  rss.stop();
  await Promise.all([...services.values()].map((s) => s.proc.stop()));
  await bus.stop();
  receiver.stop(true);
  await registry.stop();
  await admin.deleteTopics(Object.values(topics)).catch((e) => console.error(`cleanup: ${e}`));
  await admin.disconnect();
  await broker.stop();
  for (const f of files) for (const s of ["", "-wal", "-shm"]) rmSync(f + s, { force: true });
}
