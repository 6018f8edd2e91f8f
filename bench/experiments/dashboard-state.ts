/**
 * What the dashboard's device state costs, without Kafka: the bench fleet's enriched records (one
 * application registered for every type, as memory-5k registers one) fed in batches of 500 to the
 * dashboard's own ingest handler, then the heap kept after a full collection, per device, and the
 * handler's CPU a record. The kept heap is what sets the dashboard's peak RSS under load: JSC lets
 * the heap grow in proportion to what survived the last full collection.
 *   bun bench/experiments/dashboard-state.ts [--records 60000] [--devices 1000]
 */
import { parseArgs } from "node:util";
import { heapStats } from "bun:jsc";
import type { IncomingRecord } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { loadConfig } from "../../services/dashboard/src/config";
import { createIngest } from "../../services/dashboard/src/sources/ingest";
import { createDashboardState } from "../../services/dashboard/src/state/dashboard-state";
import { BENCH_APPLICATION, enrichedFleet } from "../lib/enriched-fleet";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: { records: { type: "string", default: "60000" }, devices: { type: "string", default: "1000" } },
});
const records: IncomingRecord[] = (await enrichedFleet(Number(flags.records), [BENCH_APPLICATION])).map(
  ({ key, value, headers }, i) => ({
    topic: "enriched",
    partition: 0,
    offset: String(i),
    key,
    value,
    headers: headers ?? {},
    timestamp: Date.now(),
  }),
);
const config = loadConfig({ DASHBOARD_MAX_DEVICES: flags.devices });
const mb = (n: number) => (n / 2 ** 20).toFixed(1);

/** Feeds every record to a fresh dashboard state, and reads the heap while it is still held. */
async function feed() {
  const state = createDashboardState(config);
  const handle = createIngest({
    topics: { raw: "raw", enriched: "enriched", dlq: "dlq" },
    state,
    metrics: createMetrics(),
    changed: () => {},
    feedSize: config.limits.feed,
  });
  const cpu = process.cpuUsage();
  for (let i = 0; i < records.length; i += 500)
    await handle({ topic: "enriched", partition: 0, records: records.slice(i, i + 500) });
  return { devices: state.devices.size, cpu: process.cpuUsage(cpu), stats: collected() };
}
// Measured as the difference with and without the state: a stale stack slot can keep garbage alive
// through one collection, and would otherwise count as (or against) the state.
const collected = () => {
  Bun.gc(true);
  return heapStats(); // heapSize counts extraMemorySize (typed arrays' out-of-line storage) too
};
const { devices, cpu, stats: after } = await feed();
const before = collected();
const grown = Object.entries(after.objectTypeCounts)
  .map(([type, n]) => [type, n - (before.objectTypeCounts[type] ?? 0)] as const)
  .filter(([, n]) => n >= devices)
  .sort((a, b) => b[1] - a[1]);
const bytes = records.reduce((n, r) => n + r.value.byteLength, 0);
console.log(
  `${records.length} records (${Math.round(bytes / records.length)} B each), ${devices} devices kept: ` +
    `the state ${mb(after.heapSize - before.heapSize)} MB after a full collection, ` +
    `${Math.round((after.heapSize - before.heapSize) / devices)} B a device ` +
    `(of it out-of-line ${Math.round((after.extraMemorySize - before.extraMemorySize) / devices)} B); ` +
    `${((cpu.user + cpu.system) / records.length).toFixed(1)} µs CPU a record in the handler`,
);
console.log(`objects a device: ${grown.map(([type, n]) => `${type} ${(n / devices).toFixed(1)}`).join(", ")}`);
