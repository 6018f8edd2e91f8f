/**
 * Experiment (not part of `bun run bench`): the history service's own CPU per message while it
 * catches up, without Kafka: pre-encoded enriched records of the default fleet mix go through the
 * service's batch handler (decode → extract → one PostgreSQL transaction a batch) as the bus hands
 * them in, a fetch's worth at a time. Prints the process's CPU µs per message for decode alone,
 * decode + extract, and the whole handler, and PostgreSQL's backend CPU per message. Each pass
 * empties the raw tables first and keeps `series` (ids stay cached, as in a long catch-up); a first,
 * uncounted pass creates the series and warms the JIT. The median and the least of the passes are
 * printed: other load on the machine only adds, so the least is the steadier figure to compare.
 * Profile the catch-up with `bun --cpu-prof bench/experiments/history-ingest.ts --passes 10` and
 * `bun bench/profile-summary.ts <profile>` (the records are built before; their share is enrichment's).
 *   bun bench/experiments/history-ingest.ts [--records 50000] [--batch 2500] [--passes 3]
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import type { Batch } from "@iot/common/bus";
import { decodeEnrichedEvent } from "@iot/common/codec";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { openPgStore } from "../../services/history/src/db/pg-store";
import { createHistoryMetrics } from "../../services/history/src/history-metrics";
import { createIngest } from "../../services/history/src/ingest";
import { extract, metricNames } from "../../services/history/src/points";
import { enrichedFleet } from "../lib/enriched-fleet";
import { backendCpuMs } from "../lib/pg-cpu";
import { percentile, sortedCopy } from "../lib/stats";
import { printTable, round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "50000" },
    batch: { type: "string", default: "2500" },
    passes: { type: "string", default: "3" },
  },
});
const BATCH = Number(flags.batch);
const PASSES = Number(flags.passes);
const PG_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const DAY = 86_400_000;

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

const records = (await enrichedFleet(Number(flags.records))).map((r, i) => ({
  topic: "iot.enriched",
  partition: 0,
  offset: String(i),
  key: r.key ?? null,
  value: r.value as Uint8Array,
  headers: r.headers ?? {},
  timestamp: 0,
}));
const batches: Batch[] = [];
for (let i = 0; i < records.length; i += BATCH)
  batches.push({ topic: "iot.enriched", partition: 0, records: records.slice(i, i + BATCH) });

const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
const name = `history_cpu_${Date.now().toString(36)}`;
await admin.unsafe(`create database "${name}"`);
const url = new URL(PG_URL);
url.pathname = `/${name}`;
const store = await openPgStore(url.toString());
const observer = postgres(url.toString(), { max: 1, onnotice: () => {} });
const handle = createIngest({
  store,
  metrics: createHistoryMetrics(createMetrics()),
  trendName: () => (_type, c) => c,
  retentionMs: { raw: 30 * DAY, "1m": 90 * DAY, "1h": 365 * DAY, "5m": 30 * DAY },
  log: createLogger("history-ingest", { level: "error" }),
});

const names = metricNames();
const decodeUs: number[] = [];
const extractUs: number[] = [];
const handlerUs: number[] = [];
const backendUs: number[] = [];
try {
  for (let pass = -1; pass < PASSES; pass++) {
    let t0 = cpuUs();
    for (const r of records) decodeEnrichedEvent(r.value, r.headers);
    const decoded = (cpuUs() - t0) / records.length;
    t0 = cpuUs();
    for (const r of records) extract(decodeEnrichedEvent(r.value, r.headers), (_type, c) => c, names);
    const extracted = (cpuUs() - t0) / records.length;

    await observer.unsafe("truncate raw_messages, rollup_pending, trends_5m");
    Bun.gc(true);
    const b0 = await backendCpuMs(observer, name);
    t0 = cpuUs();
    for (const b of batches) await handle(b);
    const handled = (cpuUs() - t0) / records.length;
    const backend = (((await backendCpuMs(observer, name)) - b0) * 1000) / records.length;
    if (pass < 0) continue;
    decodeUs.push(decoded);
    extractUs.push(extracted);
    handlerUs.push(handled);
    backendUs.push(backend);
  }
} finally {
  await store.close();
  await observer.end();
  await admin.unsafe(`drop database "${name}" with (force)`);
  await admin.end();
}

const row = (what: string, xs: number[]) => ({
  what,
  median_cpu_us_per_msg: round(percentile(sortedCopy(xs), 50), 1),
  least_cpu_us_per_msg: round(Math.min(...xs), 1),
  passes: xs.map((x) => round(x, 1)).join(" / "),
});
printTable(`history ingest, ${records.length} enriched records in batches of ${BATCH}, ${PASSES} passes`, [
  row("decodeEnrichedEvent", decodeUs),
  row("decode + extract", extractUs),
  row("handler (decode, extract, store.write)", handlerUs),
  row("PostgreSQL backend", backendUs),
]);
