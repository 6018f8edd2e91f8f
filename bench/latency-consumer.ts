/**
 * The end of the pipeline for part 2: consumes the enriched topic and keeps, per record, its
 * `source-timestamp` (the raw record's produce time), its own create time (when enrichment
 * produced it) and when it was consumed here, so the latency splits into the enrichment hop and
 * the delivery hop. A process of its own, so its work is not on the producer's event loop.
 * Prints "ready" once it has joined; on SIGTERM writes the samples (lib/latency-samples.ts) and exits.
 *   bun bench/latency-consumer.ts <brokers> <topic> <out-file>
 */
import { HEADER } from "@iot/common/wire";
import { benchBus } from "./lib/kafka";
import { createSampleBuffer } from "./lib/latency-samples";

const [brokers, topic, outFile] = Bun.argv.slice(2);
if (!brokers || !topic || !outFile)
  throw new Error("usage: bun bench/latency-consumer.ts <brokers> <topic> <out-file>");
const samples = createSampleBuffer();
const bus = await benchBus(brokers, "bench-latency-consumer");
const sub = await bus.subscribe({
  groupId: `bench-latency-${crypto.randomUUID()}`,
  topics: [topic],
  fromBeginning: true,
  handler: async (batch) => {
    const consumed = Date.now();
    for (const r of batch.records)
      samples.add({ source: Number(r.headers[HEADER.sourceTimestamp]), enriched: r.timestamp, consumed });
  },
});
console.log("ready");
process.on("SIGTERM", async () => {
  await sub.stop();
  await bus.stop();
  await Bun.write(outFile, samples.bytes());
  process.exit(0);
});
