/**
 * The history query of bench/history.ts (30 days of one metric at 1-minute resolution → 500 points)
 * split by layer, so a change can be judged on a loaded machine: the store's read alone (SQL and
 * row decoding), the HTTP handler in process (`app.handle`: routes, planning, JSON), and a real
 * HTTP request. For each: latency p50/p99 and CPU per query of this process and of the PostgreSQL
 * backends (from /proc; local server only). Layers run in interleaved rounds so load drifts hit
 * each alike. The month is seeded once into a database kept between runs (`--reseed` starts over),
 * and the plan of the read is printed with EXPLAIN (ANALYZE, BUFFERS).
 *   bun bench/experiments/history-query.ts [--dialect postgres|sqlite] [--queries 200] [--database hq_bench]
 *     [--reseed] [--unanalysed]   (SQLite: the file /tmp/<database>.db)
 */
import { existsSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import postgres from "postgres";
import { openStore } from "../../services/history/src/db/open";
import { pgRangeRead } from "../../services/history/src/db/pg-range-sql";
import { createHttpApp } from "../../services/history/src/http/app";
import { createQueries } from "../../services/history/src/query";
import { backendCpuMs } from "../lib/pg-cpu";
import { percentile, sortedCopy } from "../lib/stats";

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    dialect: { type: "string", default: "postgres" },
    queries: { type: "string", default: "200" },
    database: { type: "string", default: "hq_bench" },
    reseed: { type: "boolean", default: false },
    /** Leave the seeded partitions unanalysed, as bench/history.ts reads them right after writing. */
    unanalysed: { type: "boolean", default: false },
  },
});
const QUERIES = Number(args.queries);
const ROUND = 20;
const MINUTE = 60_000;
const DAYS = 30;
const DEVICE = "bench-query";
const METRIC = "voltage.phase_a";
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const log = createLogger("history-query", { level: "error" });

const postgresDb = args.dialect === "postgres";
const url = new URL(PG_URL);
url.pathname = `/${args.database}`;
const sqlitePath = `/tmp/${args.database}.db`;
const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
if (postgresDb) {
  if (args.reseed) await admin.unsafe(`drop database if exists "${args.database}" with (force)`);
  const [found] = await admin`select 1 from pg_database where datname = ${args.database!}`;
  if (!found) await admin.unsafe(`create database "${args.database}"`);
} else if (args.reseed) for (const s of ["", "-wal", "-shm"]) rmSync(`${sqlitePath}${s}`, { force: true });
const seeded = postgresDb ? undefined : existsSync(sqlitePath);

const store = await openStore({ databaseUrl: postgresDb ? url.toString() : undefined, sqlitePath });
const retention = { raw: 2 * 86_400_000, "1m": 3660 * 86_400_000, "5m": 3660 * 86_400_000, "1h": 3660 * 86_400_000 };
const queries = createQueries(store, { maxPoints: 5000, retentionMs: retention });
const probe = postgres(url.toString(), { max: 1, onnotice: () => {} });

// The month ends at the last whole day, so a reused database keeps answering the same range.
const to = Math.floor(Date.now() / 86_400_000) * 86_400_000;
const from = to - DAYS * 24 * 60 * MINUTE;
const have = await store.range({ deviceId: DEVICE, metric: METRIC, level: "1m", from, to, width: MINUTE });
if (have.length < DAYS * 24 * 60 || seeded === false) {
  const month = Array.from({ length: DAYS * 24 * 60 }, (_, i) => ({
    deviceId: DEVICE,
    metric: METRIC,
    ts: from + i * MINUTE,
    value: 120 + Math.sin(i / 90) * 5 + (i % 997 === 0 ? 30 : 0),
  }));
  for (let i = 0; i < month.length; i += 5_000) await store.write(month.slice(i, i + 5_000), []);
  await store.rollUp(8.64e15);
  if (postgresDb && !args.unanalysed) await probe`vacuum analyze`;
  console.log(`seeded ${month.length} minutes`);
}

const app = createHttpApp({
  queries,
  readiness: { checks: async () => ({}) },
  metrics: createMetrics(),
  log,
});
const server = Bun.serve({ port: 0, fetch: (r) => app.handle(r) });
const path = `/api/devices/${DEVICE}/series?metric=${METRIC}&from=${from}&to=${to}&points=500&level=1m`;

const layers: Record<string, () => Promise<unknown>> = {
  "store.range": () =>
    store.range({ deviceId: DEVICE, metric: METRIC, level: "1m", from, to, width: (to - from) / 500 }),
  "app.handle": async () => (await app.handle(new Request(`http://localhost${path}`))).arrayBuffer(),
  "http fetch": async () => (await fetch(`http://127.0.0.1:${server.port}${path}`)).arrayBuffer(),
};
const first = (await (await app.handle(new Request(`http://localhost${path}`))).json()) as {
  series: Array<{ points: unknown[] }>;
};
if (first.series[0]!.points.length !== 500)
  throw new Error(`expected 500 points, got ${first.series[0]!.points.length}`);

const stats = Object.fromEntries(Object.keys(layers).map((k) => [k, { ms: [] as number[], cpuUs: 0, dbUs: 0 }]));
const dbCpu = () => (postgresDb ? backendCpuMs(probe, args.database!) : Promise.resolve(0));
for (const name of Object.keys(layers)) for (let i = 0; i < 10; i++) await layers[name]!(); // warm-up
for (let done = 0; done < QUERIES; done += ROUND) {
  for (const [name, run] of Object.entries(layers)) {
    const s = stats[name]!;
    const [cpu0, db0] = [process.cpuUsage(), await dbCpu()];
    for (let i = 0; i < ROUND; i++) {
      const t0 = performance.now();
      await run();
      s.ms.push(performance.now() - t0);
    }
    const cpu = process.cpuUsage(cpu0);
    s.cpuUs += cpu.user + cpu.system;
    s.dbUs += ((await dbCpu()) - db0) * 1000;
  }
}

const load = (await Bun.file("/proc/loadavg").text()).split(" ").slice(0, 3).join(" ");
console.log(`${args.dialect}: ${QUERIES} queries per layer, rounds of ${ROUND}; load average ${load}`);
console.log("| layer | p50 ms | p99 ms | process CPU µs/query | PostgreSQL CPU µs/query |");
console.log("|---|---|---|---|---|");
for (const [name, s] of Object.entries(stats)) {
  const sorted = sortedCopy(s.ms);
  const n = s.ms.length;
  console.log(
    `| ${name} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 99).toFixed(1)} | ${Math.round(s.cpuUs / n)} | ${postgresDb ? Math.round(s.dbUs / n) : "-"} |`,
  );
}

if (postgresDb) {
  const [series] = await probe<
    { id: number }[]
  >`select id from series where device_id = ${DEVICE} and metric = ${METRIC}`;
  const q = pgRangeRead(
    "1m",
    { deviceId: DEVICE, seriesId: series!.id },
    { from, to, width: (to - from) / 500 },
    { pending: [], minutes: [] },
  );
  // The read's settings (`set local …;`) first, in the same transaction, then its select explained.
  const statements = q.text.split(";");
  const plan = await probe.begin(async (tx) => {
    for (const setting of statements.slice(0, -1)) await tx.unsafe(setting);
    return tx.unsafe(`explain (analyze, buffers) ${statements.at(-1)}`, q.params as never[]);
  });
  console.log(plan.map((r) => r["QUERY PLAN"]).join("\n"));
}
server.stop(true);
await store.close();
await probe.end();
await admin.end();
