/**
 * History: write throughput into SQLite and PostgreSQL through the real broker, query latency for
 * 30 days of one metric at 1-minute resolution downsampled to 500 points (on PostgreSQL laid out
 * among other series as the roll-up job leaves it in a fleet), and bytes on disk per stored message.
 *
 * Write throughput is catch-up throughput: the default fleet mix (enriched, JSON) is on the topic
 * before the history service joins its group, and the clock runs until every record is committed
 * to the database. A consumer that drains a backlog at R msg/s keeps up with any steady rate below
 * R with bounded lag; the goals are 20,000 msg/s on PostgreSQL and 5,000 msg/s on SQLite. The topic
 * is written and read as the services do by default: zstd batches (KAFKA_COMPRESSION) and the
 * platformatic client (KAFKA_CLIENT). Compression sets how many records a capped fetch holds, so an
 * uncompressed topic gave history batches of ~190 records where the service gets thousands.
 *   bun bench/history.ts [--messages 50000] [--queries 200] [--dialects sqlite,postgres]
 *                        [--client platformatic|kafkajs] [--compression zstd|none]
 * HISTORY_FETCH_KIB on the command line sets history's fetch cap (default 64; on SQLite a transaction
 * holds one fetch, so the cap sets its catch-up rate).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { createPlatformaticBus } from "@iot/common/bus/platformatic-bus";
import { createLogger } from "@iot/common/logger";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { loadConfig } from "../services/history/src/config";
import { createHistory } from "../services/history/src/history";
import { enrichedFleet } from "./lib/enriched-fleet";
import { useBroker } from "./lib/kafka";
import { backendCpuMs } from "./lib/pg-cpu";
import { writeResult } from "./lib/results";
import { percentile, sortedCopy } from "./lib/stats";
import { printTable, round, type Row } from "./lib/table";

const { values: args } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    messages: { type: "string", default: "50000" },
    queries: { type: "string", default: "200" },
    dialects: { type: "string", default: "sqlite,postgres" },
    client: { type: "string", default: "platformatic" },
    compression: { type: "string", default: "zstd" },
  },
});
const MESSAGES = Number(args.messages);
const QUERIES = Number(args.queries);
const DIALECTS = args.dialects!.split(",") as Array<"sqlite" | "postgres">;
const CLIENT = args.client === "kafkajs" ? "kafkajs" : "platformatic";
const COMPRESSION = args.compression === "none" ? "none" : "zstd";
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const GOALS = { sqlite: 5_000, postgres: 20_000 };
const MINUTE = 60_000;
/** Other series rolled up in the same minutes as the queried one (PostgreSQL: see layOutAmongFleet). */
const NEIGHBOURS = 49;
/** Every pending minute has ended by then. */
const END_OF_TIME = 8.64e15;
const log = createLogger("bench-history", { level: "error" });

const broker = await useBroker();
const records = await enrichedFleet(MESSAGES);
const rows: Row[] = [];
try {
  for (const dialect of DIALECTS) rows.push(await run(dialect));
} finally {
  await broker.stop();
}
printTable(
  `History — ${records.length} enriched records of the default fleet mix (JSON, ${COMPRESSION} batches, ${CLIENT} client), 6 partitions; query: 30 d of 1-minute roll-ups → 500 points (PostgreSQL: laid out among ${NEIGHBOURS} other series), ${QUERIES} runs`,
  rows,
);
await writeResult("history", broker.version, {
  messages: records.length,
  queries: QUERIES,
  client: CLIENT,
  compression: COMPRESSION,
  results: rows,
  goals: { write_msgs_per_s: GOALS, query_p99_ms: 50 },
});

async function run(dialect: "sqlite" | "postgres"): Promise<Row> {
  const db = await database(dialect);
  const topic = `bench.history.${dialect}.${Date.now().toString(36)}`;
  const bus = (CLIENT === "kafkajs" ? createKafkaBus : createPlatformaticBus)({
    brokers: broker.brokers.split(","),
    clientId: "bench-history",
    topics: [{ name: topic, partitions: 6 }],
    compression: { [topic]: COMPRESSION },
    log,
  });
  await bus.start();
  try {
    await bus.publish(topic, records);
    const config = loadConfig({
      KAFKA_BROKERS: broker.brokers,
      TOPIC_ENRICHED: topic,
      HISTORY_GROUP: `${topic}-group`,
      HISTORY_PORT: "0",
      HISTORY_DB_PATH: db.sqlitePath,
      HISTORY_DATABASE_URL: db.databaseUrl,
      // The service's own fetch cap, when the bench's command line sets one.
      HISTORY_FETCH_KIB: process.env.HISTORY_FETCH_KIB,
    });
    const metrics = createMetrics();
    const history = createHistory(config, { bus, log, metrics });
    const figure = async (name: string) => parseMetrics(await metrics.render()).get(name) ?? 0;
    const stored = () => figure('history_records_total{result="stored"}');
    const storedPoints = () => figure('history_points_total{result="stored"}');
    // The service runs in this process, which also holds the published records: the peak while it
    // catches up, less the RSS once publishing's garbage is collected, is what the service added.
    Bun.gc(true);
    const rss0 = process.memoryUsage.rss();
    await history.start(); // migrated, and joined to its group: the clock starts when consuming does
    const [t0, recordsAt0, pointsAt0] = [performance.now(), await stored(), await storedPoints()];
    const [cpu0, dbCpu0] = [process.cpuUsage(), await db.backendCpuMs()];
    let peakRss = rss0;
    while ((await stored()) < records.length) {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await Bun.sleep(20);
    }
    const seconds = (performance.now() - t0) / 1000;
    const consumed = records.length - recordsAt0;
    // PostgreSQL rolls up after the write: what its job has not done yet is part of the cost of the records.
    await history.store().rollUp(END_OF_TIME);
    const rolledSeconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const dbCpuMs = (await db.backendCpuMs()) - dbCpu0;
    const points = await storedPoints();
    const bytes = await db.bytes();

    // 30 days of one metric, one point a minute: 43,200 1-minute roll-ups to read back.
    const now = Date.now();
    const from = Math.floor((now - 30 * 24 * 60 * MINUTE) / MINUTE) * MINUTE;
    const month = Array.from({ length: 30 * 24 * 60 }, (_, i) => ({
      deviceId: "bench-query",
      metric: "voltage.phase_a",
      ts: from + i * MINUTE,
      value: 120 + Math.sin(i / 90) * 5 + (i % 997 === 0 ? 30 : 0),
    }));
    for (let i = 0; i < month.length; i += 5_000) await history.store().write(month.slice(i, i + 5_000), []);
    await history.store().rollUp(END_OF_TIME); // as the service's job would have long before a month passed
    await db.layOutAmongFleet("bench-query", "voltage.phase_a", NEIGHBOURS);
    const url = `${history.urls().History}/api/devices/bench-query/series?metric=voltage.phase_a&from=${from}&to=${from + month.length * MINUTE}&points=500&level=1m`;
    const check = (await (await fetch(url)).json()) as { series: Array<{ points: unknown[] }> };
    if (check.series[0]!.points.length !== 500)
      throw new Error(`expected 500 points, got ${check.series[0]!.points.length}`);
    const latencies: number[] = [];
    const [queryCpu0, queryDbCpu0] = [process.cpuUsage(), await db.backendCpuMs()];
    for (let i = 0; i < QUERIES; i++) {
      const q0 = performance.now();
      await (await fetch(url)).arrayBuffer();
      latencies.push(performance.now() - q0);
    }
    // The query's own CPU (this process: the service and its HTTP client; PostgreSQL's backends):
    // unlike the latency, comparable between runs on a loaded machine.
    const queryCpu = process.cpuUsage(queryCpu0);
    const queryDbMs = (await db.backendCpuMs()) - queryDbCpu0;
    await history.stop();
    const sorted = sortedCopy(latencies);
    const rate = consumed / seconds;
    return {
      database: dialect,
      messages: records.length,
      points_stored: points,
      write_msgs_per_s: round(rate),
      write_points_per_s: round((points - pointsAt0) / seconds),
      rolled_up_msgs_per_s: round(consumed / rolledSeconds),
      [`meets_write_goal`]: rate >= GOALS[dialect],
      // CPU per record: comparable across runs on a loaded machine, unlike the rates.
      history_cpu_us_per_msg: round((cpu.user + cpu.system) / consumed, 1),
      db_backend_cpu_us_per_msg: dialect === "postgres" ? round((dbCpuMs * 1000) / consumed, 1) : "-",
      peak_rss_mb: round(peakRss / 2 ** 20),
      rss_added_mb: round((peakRss - rss0) / 2 ** 20),
      query_p50_ms: round(percentile(sorted, 50), 1),
      query_p99_ms: round(percentile(sorted, 99), 1),
      query_cpu_ms: round((queryCpu.user + queryCpu.system) / 1000 / QUERIES, 1),
      query_db_cpu_ms: dialect === "postgres" ? round(queryDbMs / QUERIES, 1) : "-",
      meets_query_goal: percentile(sorted, 99) <= 50,
      bytes_per_message: round(bytes / records.length),
    };
  } finally {
    await bus.stop();
    await db.drop();
  }
}

/** A throwaway database and how many bytes the history data takes in it once written. */
async function database(dialect: "sqlite" | "postgres") {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "bench-history-"));
    const sqlitePath = join(dir, "history.db");
    return {
      sqlitePath,
      databaseUrl: undefined,
      // Checkpointed by the store's close? Not yet: count the WAL too, it is on disk.
      backendCpuMs: async () => 0,
      // A WITHOUT ROWID table is stored in key order: a series' rows are adjacent whatever was written between them.
      layOutAmongFleet: async () => {},
      bytes: async () =>
        ["", "-wal"].reduce((n, s) => n + (statSync(`${sqlitePath}${s}`, { throwIfNoEntry: false })?.size ?? 0), 0),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  const name = `bench_history_${Date.now().toString(36)}`;
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  const tables = ["series", "raw_messages", "rollup_pending", "rollup_1m", "rollup_1h", "trends_5m"];
  return {
    sqlitePath: "unused-with-postgres.db",
    databaseUrl: url.toString(),
    backendCpuMs: () => backendCpuMs(client, name),
    // Tables, their partitions, indexes and TOAST: what the history data costs PostgreSQL.
    async bytes() {
      const [row] = await client<
        { bytes: string }[]
      >`select coalesce(sum(pg_total_relation_size(c.oid)), 0) as bytes from pg_class c
        where c.relkind = 'r' and (c.relname = any(${tables}) or c.oid in (select inhrelid from pg_inherits where inhparent in (select oid from pg_class where relname = any(${tables}))))`;
      return Number(row!.bytes);
    },
    /**
     * The month as a fleet leaves it: the roll-up job writes one minute of every series at a time, so a
     * series' rows lie among the others' (one per heap page with enough series), where the month written
     * alone would lie in adjacent pages and hide what a read costs. The queried rows are rewritten
     * minute by minute with `neighbours` other series, then vacuumed and analysed as autovacuum does
     * for a past week.
     */
    async layOutAmongFleet(deviceId: string, metric: string, neighbours: number) {
      await client.begin(async (tx) => {
        const [series] = await tx<
          { id: number }[]
        >`select id from series where device_id = ${deviceId} and metric = ${metric}`;
        const others = await tx<{ id: number }[]>`insert into series (device_id, metric)
          select ${deviceId}, ${metric} || '.neighbour' || g from generate_series(1, ${neighbours}) g returning id`;
        const ids = [series!.id, ...others.map((r) => r.id)];
        await tx`create temp table month on commit drop as select * from rollup_1m where series_id = ${series!.id}`;
        await tx`delete from rollup_1m where series_id = ${series!.id}`;
        await tx`insert into rollup_1m select s.id, m.bucket, m.count, m.sum, m.min, m.max, m.last, m.last_ts
          from month m cross join unnest(${ids}::int[]) as s(id) order by m.bucket, s.id`;
      });
      await client`vacuum analyze rollup_1m`;
    },
    async drop() {
      await client.end({ timeout: 1 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}
