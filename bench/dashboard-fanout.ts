/**
 * Dashboard fan-out: does the pipeline keep its pace with 200 browsers watching the live overview?
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/dashboard-fanout.ts [--rate 5000] [--clients 200] [--phase 30] [--warmup 10]
 * Runs the real services as processes on fresh topics: simulator (at --rate) → enrichment (with the
 * App Registry) → dashboard.
 * After a warm-up, one phase with no SSE client, then one with --clients connected to
 * /live/overview (from a separate process, so their reading does not count as dashboard CPU).
 * Per phase: raw and enriched msg/s (the pipeline), what the dashboard consumed and its lag, the
 * dashboard's CPU and RSS, and what the browsers received. Prints a table, writes
 * bench/results/dashboard-fanout.json. Nothing here is asserted: it reports what is.
 */
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import { createLogger } from "@iot/common/logger";
import { parseMetrics } from "@iot/common/metrics";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rate: { type: "string", default: "5000" },
    clients: { type: "string", default: "200" },
    phase: { type: "string", default: "30" },
    warmup: { type: "string", default: "10" },
    "sse-clients": { type: "string" }, // internal: run as the SSE client process
  },
});

if (flags["sse-clients"]) await runClients(flags["sse-clients"], Number(flags.clients));
else await main();

/** The browsers: N streams, counting messages and bytes; one JSON line of totals a second. */
async function runClients(url: string, n: number) {
  const totals = { connected: 0, messages: 0, bytes: 0 };
  const one = async () => {
    const res = await fetch(url, { headers: { accept: "text/event-stream" } });
    totals.connected++;
    const decoder = new TextDecoder();
    let tail = "";
    for await (const chunk of res.body!) {
      totals.bytes += chunk.byteLength;
      const parts = (tail + decoder.decode(chunk, { stream: true })).split("\n\n");
      tail = parts.pop()!;
      totals.messages += parts.filter((p) => p.includes("data: ")).length;
    }
  };
  for (let i = 0; i < n; i++) one().catch((e) => console.error(`client ${i}: ${e}`));
  setInterval(() => console.log(JSON.stringify(totals)), 1000);
}

async function main() {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error("KAFKA_BROKERS is required (e.g. 127.0.0.1:9092; `bun run kafka:start` starts one)");
  const [rate, clients, phaseS, warmupS] = [flags.rate, flags.clients, flags.phase, flags.warmup].map(Number) as [
    number,
    number,
    number,
    number,
  ];
  const run = Date.now().toString(36);
  const [dashboardPort, enrichmentPort, simulatorPort, registryPort, rpcPort] = [
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ];
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}`;
  const env: Env = {
    KAFKA_BROKERS: brokers,
    TOPIC_RAW: `bench.fanout.raw.${run}`,
    TOPIC_ENRICHED: `bench.fanout.enriched.${run}`,
    TOPIC_DLQ: `bench.fanout.dlq.${run}`,
    ENRICHMENT_GROUP: `bench-fanout-enrichment-${run}`,
    DASHBOARD_GROUP: `bench-fanout-dashboard-${run}`,
    LOG_LEVEL: "warn",
    // Every simulated browser comes from this one address: lift the per-client cap on live streams.
    DASHBOARD_SSE_MAX_PER_CLIENT: String(Math.max(8, clients)),
    DASHBOARD_SSE_MAX_STREAMS: String(Math.max(500, clients)),
    DASHBOARD_PORT: String(dashboardPort),
    ENRICHMENT_PORT: String(enrichmentPort),
    SIMULATOR_PORT: String(simulatorPort),
    ENRICHMENT_URL: `http://127.0.0.1:${enrichmentPort}`,
    SIMULATOR_URL: `http://127.0.0.1:${simulatorPort}`,
    REGISTRY_HTTP_PORT: String(registryPort),
    REGISTRY_RPC_PORT: String(rpcPort),
    REGISTRY_DB_PATH: join(tmpdir(), `bench-fanout-${run}.db`),
    REGISTRY_URL: `http://127.0.0.1:${registryPort}`,
    REGISTRY_RPC_URL: `http://127.0.0.1:${rpcPort}`,
  };
  const bus = createKafkaBusFromConfig(loadBusConfig(env), "bench-fanout", createLogger("bench", { level: "error" }));
  await bus.start(); // provisions the topics before anyone reads them
  // Through scripts/run-service.sh, as `bun run <service>` starts them (its heap settings).
  const spawn = (script: string, args: string[] = []) =>
    Bun.spawn(["sh", "scripts/run-service.sh", script, ...args], {
      env: { ...process.env, ...env },
      stdout: "ignore",
      stderr: "inherit",
    });
  const registry = spawn("services/app-registry/src/main.ts");
  const dashboard = spawn("services/dashboard/src/main.ts");
  const enrichment = spawn("services/enrichment/src/main.ts");
  const procs: Array<{ kill(signal?: NodeJS.Signals | number): void; exited: Promise<number> }> = [
    registry,
    dashboard,
    enrichment,
  ];
  try {
    await waitReady(`${env.REGISTRY_URL}/readyz`);
    await waitReady(`${dashboardUrl}/readyz`);
    await waitReady(`${env.ENRICHMENT_URL}/readyz`);
    const total = warmupS + 2 * phaseS + 15;
    const devices = Math.max(1, Math.round(rate)); // one message per device per second
    procs.push(
      spawn("services/simulator/src/main.ts", [
        "--devices",
        String(devices),
        "--rate",
        String(rate),
        "--duration",
        String(total),
      ]),
    );
    console.log(`warming up ${warmupS} s at ${rate} msg/s offered…`);
    await Bun.sleep(warmupS * 1000);
    const quiet = await measure(bus, env, dashboardUrl, dashboard.pid, enrichment.pid, phaseS, undefined);
    const sseArgs = ["--sse-clients", `${dashboardUrl}/live/overview?tab=enriched`, "--clients", String(clients)];
    const sse = Bun.spawn(["bun", import.meta.path, ...sseArgs], { stdout: "pipe", stderr: "inherit" });
    procs.push(sse);
    const counts = lines(sse.stdout);
    while (counts.latest().connected < clients) await Bun.sleep(200);
    await Bun.sleep(3000);
    const watched = await measure(bus, env, dashboardUrl, dashboard.pid, enrichment.pid, phaseS, counts);
    report({ rate, clients, phaseS, quiet, watched });
  } finally {
    for (const p of procs.reverse()) p.kill("SIGTERM");
    await Promise.all(procs.map((p) => p.exited));
    await bus.stop();
    rmSync(env.REGISTRY_DB_PATH!, { force: true });
  }
}

type Env = Record<string, string>;
type Bus = ReturnType<typeof createKafkaBusFromConfig>;
type Counts = ReturnType<typeof lines>;

async function measure(
  bus: Bus,
  env: Env,
  dashboardUrl: string,
  dashboardPid: number,
  enrichmentPid: number,
  seconds: number,
  sse: Counts | undefined,
) {
  const topics = [env.TOPIC_RAW!, env.TOPIC_ENRICHED!];
  const snapshot = async () => {
    const stats = await bus.stats(topics, [env.ENRICHMENT_GROUP!, env.DASHBOARD_GROUP!]);
    const metrics = parseMetrics(await (await fetch(`${dashboardUrl}/metrics`)).text());
    const records = (t: string) => stats.topics.find((x) => x.topic === t)?.records ?? 0;
    const lag = (g: string, t?: string) =>
      stats.lag.filter((l) => l.groupId === g && (t === undefined || l.topic === t)).reduce((n, l) => n + l.lag, 0);
    return {
      at: performance.now(),
      raw: records(env.TOPIC_RAW!),
      enriched: records(env.TOPIC_ENRICHED!),
      enrichmentLag: lag(env.ENRICHMENT_GROUP!, env.TOPIC_RAW),
      dashboardLag: lag(env.DASHBOARD_GROUP!),
      consumed: [...metrics].filter(([k]) => k.startsWith("dashboard_records_total")).reduce((n, [, v]) => n + v, 0),
      cpu: { dashboard: cpuSeconds(dashboardPid), enrichment: cpuSeconds(enrichmentPid) },
      sse: sse ? sse.latest() : { connected: 0, messages: 0, bytes: 0 },
    };
  };
  const first = await snapshot();
  let maxDashboardLag = 0;
  let maxRss = 0;
  for (let i = 0; i < seconds; i++) {
    await Bun.sleep(1000);
    maxRss = Math.max(maxRss, rssMb(dashboardPid));
    maxDashboardLag = Math.max(maxDashboardLag, (await snapshot()).dashboardLag);
  }
  const last = await snapshot();
  const s = (last.at - first.at) / 1000;
  const per = (a: number, b: number) => Math.round((b - a) / s);
  return {
    sse_clients: last.sse.connected,
    seconds: Math.round(s),
    raw_msgs_per_s: per(first.raw, last.raw),
    enriched_msgs_per_s: per(first.enriched, last.enriched),
    enrichment_lag_end: last.enrichmentLag,
    dashboard_consumed_msgs_per_s: per(first.consumed, last.consumed),
    dashboard_lag_end: last.dashboardLag,
    dashboard_lag_max: maxDashboardLag,
    dashboard_cpu_pct: Math.round(((last.cpu.dashboard - first.cpu.dashboard) / s) * 100),
    dashboard_rss_mb_max: Math.round(maxRss),
    enrichment_cpu_pct: Math.round(((last.cpu.enrichment - first.cpu.enrichment) / s) * 100),
    sse_msgs_per_client_per_s: last.sse.connected
      ? Math.round(((last.sse.messages - first.sse.messages) / s / last.sse.connected) * 10) / 10
      : 0,
    sse_mb_per_s: Math.round(((last.sse.bytes - first.sse.bytes) / s / 1048576) * 100) / 100,
  };
}

type Phase = Awaited<ReturnType<typeof measure>>;

function report(r: { rate: number; clients: number; phaseS: number; quiet: Phase; watched: Phase }) {
  const rows = [r.quiet, r.watched];
  console.table(Object.fromEntries(rows.map((p) => [`${p.sse_clients} SSE clients`, p])));
  const result = {
    part: "dashboard-fanout",
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 2 ** 30) },
    command: `bun bench/dashboard-fanout.ts --rate ${r.rate} --clients ${r.clients} --phase ${r.phaseS}`,
    date: new Date().toISOString(),
    offered_msgs_per_s: r.rate,
    phases: rows,
    enriched_ratio_with_vs_without_clients:
      Math.round((r.watched.enriched_msgs_per_s / Math.max(1, r.quiet.enriched_msgs_per_s)) * 1000) / 1000,
  };
  mkdirSync("bench/results", { recursive: true });
  Bun.write(join("bench/results", "dashboard-fanout.json"), `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    `enriched msg/s with ${r.clients} clients ÷ without: ${result.enriched_ratio_with_vs_without_clients}; written to bench/results/dashboard-fanout.json`,
  );
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
}

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

async function waitReady(url: string) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await Bun.sleep(250)) {
    if ((await fetch(url).catch(() => undefined))?.status === 200) return;
  }
  throw new Error(`${url} not ready after 60 s`);
}

/** The newest totals line the client process printed. */
function lines(stream: ReadableStream<Uint8Array>) {
  let latest = { connected: 0, messages: 0, bytes: 0 };
  (async () => {
    let buffer = "";
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      const all = (buffer + decoder.decode(chunk, { stream: true })).split("\n");
      buffer = all.pop()!;
      if (all.length > 0) latest = JSON.parse(all.at(-1)!);
    }
  })();
  return { latest: () => latest };
}

function freePort(): number {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = server.port!;
  server.stop(true);
  return port;
}
