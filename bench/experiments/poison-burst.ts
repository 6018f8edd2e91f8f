/**
 * Reproduction (not part of `bun run bench`): a burst of small poison records from one device
 * wedges enrichment's partition. createKafkaBus.publish cuts sends at 512 KiB of record *values*
 * only; 20,000 nine-byte values are 176 KiB of values but, with each dead letter's headers (the
 * original ones plus dlq-reason, dlq-error, …), several MiB in one partition's batch, which the
 * broker refuses (MESSAGE_TOO_LARGE, message.max.bytes = 1 MiB). The batch is retried forever and
 * nothing is dead-lettered. The raw records themselves must be published in small chunks here for
 * the same reason.
 *   bun bench/experiments/poison-burst.ts [--records 20000] [--wait 30] [--client platformatic|kafkajs]
 */
import { parseArgs } from "node:util";
import { benchBus, createAdmin, useBroker } from "../lib/kafka";
import { clientsFlag, runId, startConsumers, startRegistry } from "../lib/services";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "20000" },
    wait: { type: "string", default: "30" },
    client: { type: "string", default: "platformatic" },
  },
});
const n = Number(flags.records);
const broker = await useBroker();
const admin = createAdmin(broker.brokers);
const bus = await benchBus(broker.brokers, "bench-poison");
const id = runId();
const topics = {
  raw: `bench.poison.${id}.raw`,
  enriched: `bench.poison.${id}.out`,
  dlq: `bench.poison.${id}.dlq`,
  group: `bench-poison-${id}`,
};
await admin.createTopics([topics.raw, topics.enriched, topics.dlq], 6);
const poison = {
  key: "sensor-007",
  value: new TextEncoder().encode("garbage!!"),
  headers: { "content-type": "application/json" },
};
for (let i = 0; i < n; i += 2_000)
  await bus.publish(
    topics.raw,
    Array.from({ length: Math.min(2_000, n - i) }, () => poison),
  );
const registry = await startRegistry("sqlite");
const enrichment = await startConsumers("enrichment", 1, {
  brokers: broker.brokers,
  client: clientsFlag(flags.client)[0]!,
  topics,
  format: "json",
  registryRpcUrl: registry.rpcUrl,
});
const deadline = Date.now() + Number(flags.wait) * 1000;
let dead = 0;
while (Date.now() < deadline && (dead = await admin.records([topics.dlq])) < n) await Bun.sleep(1_000);
console.log(
  `${n} poison records from one device: ${dead} dead-lettered after ${flags.wait} s${dead < n ? "; enrichment logged:\n" + enrichment.lastLines(1).slice(0, 400) : ""}`,
);
await enrichment.stop();
await registry.stop();
await bus.stop();
await admin.deleteTopics([topics.raw, topics.enriched, topics.dlq]);
await admin.disconnect();
await broker.stop();
