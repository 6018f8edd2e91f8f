/**
 * What a subscription's `maxWaitMs` (the broker's fetch wait) costs and buys on the default adapter:
 * delivery passes its DELIVERY_LINGER_MS for every webhook application and stream session (20 ms until this
 * measurement moved its default to 250).
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/fetch-wait.ts --wait-ms 20 [--groups 10] [--seconds 10] [--rate 100]
 * `--groups` groups (one per application) read one fresh 6-partition topic. Idle: the process's CPU
 * per second with nothing to read. Then `--rate` records/s, paced: latency = the first group's handler
 * time − the publish time carried in the record, p50/p99.
 */
import { parseArgs } from "node:util";
import type { Subscription } from "@iot/common/bus";
import { createPlatformaticBus } from "@iot/common/bus/platformatic-bus";
import { createLogger } from "@iot/common/logger";
import { createAdmin } from "../lib/kafka";
import { runId } from "../lib/services";
import { percentile, sortedCopy } from "../lib/stats";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    "wait-ms": { type: "string" },
    groups: { type: "string", default: "10" },
    seconds: { type: "string", default: "10" },
    rate: { type: "string", default: "100" },
  },
});
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is required");
const waitMs = flags["wait-ms"] === undefined ? undefined : Number(flags["wait-ms"]);
const [groups, seconds, rate] = [flags.groups, flags.seconds, flags.rate].map(Number) as [number, number, number];
const topic = `bench-fetch-wait-${runId()}`;
const bus = createPlatformaticBus({
  brokers: brokers.split(","),
  clientId: "fetch-wait",
  topics: [{ name: topic, partitions: 6 }],
  log: createLogger("fetch-wait", { level: "warn" }),
});
await bus.start();
const latencies: number[] = [];
let measuring = false;
const subs: Subscription[] = [];
for (let g = 0; g < groups; g++)
  subs.push(
    await bus.subscribe({
      groupId: `${topic}-g${g}`,
      topics: [topic],
      maxWaitMs: waitMs,
      handler: async (b) => {
        if (g !== 0 || !measuring) return;
        const now = performance.timeOrigin + performance.now();
        for (const r of b.records) latencies.push(now - Number(new TextDecoder().decode(r.value)));
      },
    }),
  );
await Bun.sleep(2_000); // joins and first fetches settle

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1_000;
};
let cpu0 = cpuMs();
await Bun.sleep(seconds * 1_000);
const idleCpuMsPerS = (cpuMs() - cpu0) / seconds;

measuring = true;
cpu0 = cpuMs();
const started = performance.now();
let published = 0;
for (let i = 0; performance.now() - started < seconds * 1_000; i++, published++) {
  const due = started + (i * 1_000) / rate;
  if (due > performance.now()) await Bun.sleep(due - performance.now());
  const sent = String(performance.timeOrigin + performance.now());
  await bus.publish(topic, [{ key: `k${i % 50}`, value: new TextEncoder().encode(sent) }]);
}
await Bun.sleep(1_000);
const loadedCpuMsPerS = (cpuMs() - cpu0) / (seconds + 1);
const sorted = sortedCopy(latencies);
console.log(
  JSON.stringify({
    waitMs: waitMs ?? "default",
    groups,
    idleCpuMsPerS: Math.round(idleCpuMsPerS * 10) / 10,
    loadedCpuMsPerS: Math.round(loadedCpuMsPerS * 10) / 10,
    published,
    received: sorted.length,
    p50Ms: Math.round(percentile(sorted, 50) * 10) / 10,
    p99Ms: Math.round(percentile(sorted, 99) * 10) / 10,
  }),
);
for (const s of subs) await s.stop();
await bus.stop();
const admin = createAdmin(brokers);
await admin.deleteTopics([topic]);
await admin.disconnect();
