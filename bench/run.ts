/**
 * `bun run bench`: every part against one real broker, each part as a process of its own, then
 * the memory table (peak RSS of every service process under the loads of the parts that ran,
 * watched from here) and the goals. Parts can be picked: `bun run bench pipeline latency`.
 * Each part also runs alone (`bun bench/<part>.ts`) and writes bench/results/<part>.json.
 */
import { join, relative } from "node:path";
import type { PeakRss } from "./lib/proc";
import { createRssWatch, PASSTHROUGH_LABEL } from "./lib/proc";
import { readResult, ROOT, writeResult } from "./lib/results";
import { useBroker } from "./lib/kafka";
import { printTable, type Row } from "./lib/table";

const RSS_GOAL_MB = 150;
const PARTS: Record<string, string[]> = {
  pipeline: ["bench/pipeline.ts"],
  latency: ["bench/latency.ts"],
  // Needs Java 17 and Maven (it builds its jar when missing); the tests do not.
  "kafka-streams": ["bench/kafka-streams.ts", "--replicas", "1,2"],
  "memory-5k": ["bench/memory-5k.ts", "--rate", "5000", "--seconds", "30"],
  registry: ["bench/registry.ts"],
  // Three 20 s steps per format keep this part to a few minutes on two cores.
  simulator: ["bench/simulator.ts", "--devices", "100000", "--rates", "20000,30000,40000", "--duration", "20"],
  "dashboard-fanout": [
    "bench/dashboard-fanout.ts",
    "--rate",
    "5000",
    "--clients",
    "200",
    "--phase",
    "20",
    "--warmup",
    "10",
  ],
  delivery: ["bench/delivery.ts", "--apps", "10", "--records", "20000", "--rate", "5000"],
  alarms: ["bench/alarms.ts", "--records", "100000", "--rules", "20", "--rate", "5000", "--seconds", "10"],
  "device-import": ["bench/device-import.ts", "--rows", "10000", "--repeat", "3"],
  history: ["bench/history.ts"],
  ingest: ["bench/ingest.ts", "--connections", "1000", "--messages", "200000", "--idle", "10000"],
};

const chosen = Bun.argv.slice(2).length > 0 ? Bun.argv.slice(2) : Object.keys(PARTS);
const unknown = chosen.filter((p) => !PARTS[p]);
if (unknown.length > 0)
  throw new Error(`unknown part(s) ${unknown.join(", ")}; parts: ${Object.keys(PARTS).join(", ")}`);

const started = performance.now();
const startedAt = Date.now();
const broker = await useBroker();
const memory: Array<PeakRss & { part: string }> = [];
const outcomes: Row[] = [];
try {
  for (const part of chosen) {
    const args = PARTS[part]!;
    console.log(`\n━━ ${part}: bun ${args.join(" ")}`);
    const t0 = performance.now();
    const child = Bun.spawn(["bun", ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        KAFKA_BROKERS: broker.brokers,
        BENCH_KAFKA_VERSION: broker.version,
        BENCH_COMMAND: "bun run bench",
      },
      stdout: "inherit",
      stderr: "inherit",
    });
    const rss = createRssWatch({ treeRoot: child.pid });
    const code = await child.exited;
    rss.stop();
    memory.push(...rss.peaks().map((p) => ({ part, ...p })));
    outcomes.push({ part, exit_code: code, seconds: Math.round((performance.now() - t0) / 1000) });
  }
} finally {
  await broker.stop();
}

const memoryRows = memory.map((m) => ({
  part: m.part,
  process: m.label,
  processes: m.processes,
  peak_rss_mb: m.peak_rss_mb,
  [`under_${RSS_GOAL_MB}_mb`]: m.peak_rss_mb < RSS_GOAL_MB,
}));
printTable("Part 6 — memory: peak RSS (VmHWM) of every service process, per part", memoryRows);
await writeResult("memory", broker.version, {
  goal_mb: RSS_GOAL_MB,
  source: "/proc/<pid>/status VmHWM, every descendant of each part's process, sampled every 0.5 s",
  processes: memoryRows,
});

printTable("Parts", outcomes);
printTable("Kafka clients side by side (KAFKA_CLIENT; best configuration of each)", await clientsSideBySide());
printTable("Goals (this machine, broker on it)", await goals());
const wall = (performance.now() - started) / 1000;
console.log(
  `\nbun run bench: ${Math.floor(wall / 60)} min ${Math.round(wall % 60)} s wall; results in ${relative(process.cwd(), join(ROOT, "bench/results"))}/`,
);
process.exit(outcomes.some((o) => o.exit_code !== 0) ? 1 : 0);

type Summary = {
  client: string;
  format: string;
  replicas: number;
  enriched_msgs_per_s: number;
  passthrough_msgs_per_s: number;
  ratio: number;
  wire_bytes_per_enriched_msg: number;
};
// Only what this run wrote: a part that failed leaves an older file behind.
async function fresh<T>(part: string) {
  const doc = await readResult<T & { date: string }>(part);
  return doc && Date.parse(doc.date) >= startedAt ? doc : undefined;
}

async function clientsSideBySide(): Promise<Row[]> {
  const pipeline = await fresh<{ summary: Summary[] }>("pipeline");
  const latency = await fresh<{ p99_ms_at_5000_msgs_per_s: Record<string, number | null> }>("latency");
  const clients = [
    ...new Set([
      ...(pipeline?.summary.map((s) => s.client) ?? []),
      ...Object.keys(latency?.p99_ms_at_5000_msgs_per_s ?? {}),
    ]),
  ];
  return clients.map((client) => {
    const mine = pipeline?.summary.filter((s) => s.client === client) ?? [];
    const best = mine.reduce<Summary | undefined>(
      (a, b) => (!a || b.enriched_msgs_per_s > a.enriched_msgs_per_s ? b : a),
      undefined,
    );
    const json = mine.filter((s) => s.format === "json").map((s) => s.wire_bytes_per_enriched_msg);
    const rss = memory.filter((m) => m.label.endsWith(`(${client})`) && m.label !== `${PASSTHROUGH_LABEL} (${client})`);
    return {
      client,
      enriched_msgs_per_s: best?.enriched_msgs_per_s ?? null,
      best_of: best ? `${best.format}×${best.replicas}` : null,
      enriched_vs_passthrough: mine.length
        ? mine.map((s) => `${s.format}×${s.replicas} ${Math.round(s.ratio * 100)} %`).join(", ")
        : null,
      p99_ms_at_5000: latency?.p99_ms_at_5000_msgs_per_s[client] ?? null,
      max_service_rss_mb: rss.length ? Math.max(...rss.map((m) => m.peak_rss_mb)) : null,
      wire_bytes_per_enriched_json: json.length ? Math.min(...json) : null,
    };
  });
}

async function goals(): Promise<Row[]> {
  const pipeline = await fresh<{ enriched_msgs_per_s: number; best_of: string; summary: Summary[] }>("pipeline");
  const latency = await fresh<{ p99_ms_at_5000_msgs_per_s: Record<string, number | null> }>("latency");
  const simulator = await fresh<{ devices: string; highest_sustained_msg_per_s: Record<string, number> }>("simulator");
  const delivery = await fresh<{ deliveries_per_s: number; p99_ms_at_5000_msgs_per_s: number | null }>("delivery");
  const rows: Row[] = [];
  const goal = (name: string, measured: string, met: boolean | undefined) => rows.push({ goal: name, measured, met });
  if (pipeline) {
    goal(
      "≥ 50,000 msg/s enriched",
      `${pipeline.enriched_msgs_per_s} msg/s (best: ${pipeline.best_of})`,
      pipeline.enriched_msgs_per_s >= 50_000,
    );
    const ratios = pipeline.summary.map((s) => s.ratio);
    goal(
      "≥ 70 % of passthrough",
      pipeline.summary.map((s) => `${s.format}×${s.replicas} ${Math.round(s.ratio * 100)} %`).join(", "),
      Math.min(...ratios) >= 0.7,
    );
  }
  const peer = await fresh<{
    ratios: Array<{ replicas: number; ratio: number; ratio_warm: number }>;
    runs: Array<{ consumer: string; replicas: number; msgs_per_s: number }>;
  }>("kafka-streams");
  if (peer) {
    const msgs = (c: string, n: number) => peer.runs.find((r) => r.consumer === c && r.replicas === n)?.msgs_per_s;
    goal(
      "enriched msg/s ÷ a tuned Kafka Streams enrichment ≥ 1.5",
      peer.ratios
        .map(
          (r) =>
            `×${r.replicas} ${r.ratio} (${msgs("ours", r.replicas)} ÷ ${msgs("kafka-streams", 1)} msg/s; warm halves ${r.ratio_warm})`,
        )
        .join(", "),
      Math.max(...peer.ratios.map((r) => r.ratio)) >= 1.5,
    );
  }
  const alarms = await fresh<{ goals: Array<{ goal: string; measured: string; met: boolean }> }>("alarms");
  for (const g of alarms?.goals ?? []) goal(`alarms: ${g.goal}`, g.measured, g.met);
  if (latency) {
    const p99 = Object.entries(latency.p99_ms_at_5000_msgs_per_s);
    goal(
      "p99 ≤ 50 ms at 5,000 msg/s",
      p99.map(([c, ms]) => `${c} ${ms} ms`).join(", "),
      p99.some(([, ms]) => (ms ?? Infinity) <= 50),
    );
  }
  if (pipeline) {
    const json = pipeline.summary.filter((s) => s.format === "json");
    const wire = Math.min(...json.map((s) => s.wire_bytes_per_enriched_msg));
    if (json.length) goal("≤ 535 wire bytes per enriched JSON record (raw size)", `${wire} B`, wire <= 535);
  }
  if (simulator) {
    // 100,000 devices at the default 5 s interval publish 20,000 telemetry msg/s.
    const best = simulator.highest_sustained_msg_per_s;
    goal(
      "100,000 simulated devices from one process",
      `${simulator.devices} devices: ${Object.entries(best)
        .map(([f, n]) => `${f} ${n} msg/s`)
        .join(", ")} sustained (5 s interval = 20,000 msg/s)`,
      Object.values(best).every((n) => n >= 20_000),
    );
  }
  if (delivery) {
    goal(
      "≥ 20,000 webhook deliveries/s (10 apps)",
      `${delivery.deliveries_per_s} deliveries/s`,
      delivery.deliveries_per_s >= 20_000,
    );
    goal(
      "delivery p99 ≤ 100 ms at 5,000 msg/s",
      `${delivery.p99_ms_at_5000_msgs_per_s} ms (enriched produce → handler)`,
      (delivery.p99_ms_at_5000_msgs_per_s ?? Infinity) <= 100,
    );
  }
  const devices = await fresh<{ rows: number; slowest_first_import_s_sqlite: number | null }>("device-import");
  if (devices?.slowest_first_import_s_sqlite != null)
    goal(
      "10,000 devices imported in < 5 s (SQLite)",
      `${devices.rows} rows, slowest ${devices.slowest_first_import_s_sqlite} s`,
      devices.slowest_first_import_s_sqlite < 5,
    );
  const history = await fresh<{
    results: Array<{
      database: string;
      write_msgs_per_s: number;
      meets_write_goal: boolean;
      query_p99_ms: number;
      meets_query_goal: boolean;
    }>;
  }>("history");
  for (const r of history?.results ?? []) {
    goal(
      `history keeps up on ${r.database} (${r.database === "postgres" ? "20,000" : "5,000"} msg/s)`,
      `${r.write_msgs_per_s} msg/s`,
      r.meets_write_goal,
    );
    goal(`history 30 d → 500 points p99 ≤ 50 ms (${r.database})`, `${r.query_p99_ms} ms`, r.meets_query_goal);
  }
  const ingest = await fresh<{
    connections: number;
    qos1_msgs_per_s: number;
    idle_connections: number;
    idle_rss_mb: number;
  }>("ingest");
  if (ingest) {
    goal(
      "≥ 20,000 QoS 1 msg/s into iot.raw from 1,000 MQTT connections",
      `${ingest.qos1_msgs_per_s} msg/s from ${ingest.connections}`,
      ingest.qos1_msgs_per_s >= 20_000,
    );
    goal(
      "ingest < 300 MB RSS with 10,000 idle connections",
      `${Math.round(ingest.idle_rss_mb)} MB with ${ingest.idle_connections}`,
      ingest.idle_rss_mb < 300,
    );
  }
  const services = memory.filter((m) => !m.label.startsWith(PASSTHROUGH_LABEL));
  if (services.length > 0) {
    const worst = services.reduce((a, b) => (b.peak_rss_mb > a.peak_rss_mb ? b : a));
    const over = [...new Set(services.filter((m) => m.peak_rss_mb >= RSS_GOAL_MB).map((m) => m.label))];
    goal(
      `every service < ${RSS_GOAL_MB} MB RSS`,
      `max ${worst.peak_rss_mb} MB (${worst.label}, ${worst.part})${over.length ? `; over: ${over.join(", ")}` : ""}`,
      over.length === 0,
    );
  }
  return rows.map((r) => ({ ...r, measured: String(r.measured).slice(0, 160), met: r.met }));
}
