/**
 * Experiment (not part of `bun run bench`): the produce half of enrichment alone, through the bus as
 * enrichment uses it (createPlatformaticBus, zstd on the output topic, sends cut by send-size.ts) on
 * the real enriched records of the bench's fleet (the JSON batch handler's output, captured), handler
 * batches of --batch records, one partition's batch at a time as the consume loop hands them over.
 * Prints the process's CPU µs per record, which is what an A/B of client or bus changes compares:
 * run it from two checkouts, interleaved, e.g. `git archive main | tar -x -C /tmp/base`.
 *   bun bench/experiments/enriched-produce.ts [--records 60000] [--batch 120] [--passes 3]
 */
import { parseArgs } from "node:util";
import { createPlatformaticBus } from "@iot/common/bus/platformatic-bus";
import { createLogger } from "@iot/common/logger";
import { enrichedBatches, rawIncoming } from "../lib/enrichment-inputs";
import { createAdmin } from "../lib/kafka";
import { round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "60000" },
    batch: { type: "string", default: "120" },
    passes: { type: "string", default: "3" },
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
  },
});
const raw = (await rawIncoming(Number(flags.records), ["json"])).get("json")!;
const batches = await enrichedBatches(raw, Number(flags.batch));
const n = batches.reduce((k, b) => k + b.length, 0);

const topic = `bench.enriched-produce.${Date.now().toString(36)}`;
const bus = createPlatformaticBus({
  brokers: flags.brokers.split(","),
  clientId: "enriched-produce",
  topics: [{ name: topic, partitions: 6 }],
  log: createLogger("enriched-produce", { level: "error" }),
  compression: { [topic]: "zstd" },
});
await bus.start();
await bus.publish(topic, batches[0]!); // connections, producer id, metadata
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
const passes: number[] = [];
for (let pass = 0; pass < Number(flags.passes); pass++) {
  const t0 = cpuUs();
  for (const b of batches) await bus.publish(topic, b);
  passes.push(round((cpuUs() - t0) / n, 2));
}
await bus.stop();
const admin = createAdmin(flags.brokers);
await admin.deleteTopics([topic]);
await admin.disconnect();
console.log(
  JSON.stringify({
    records: n,
    batch: Number(flags.batch),
    cpu_us_per_record: passes,
    best: Math.min(...passes),
  }),
);
