/**
 * The end of the pipeline for part 2: consumes the enriched topic and keeps, per record, its
 * `source-timestamp` (the raw record's produce time), its own create time (when enrichment
 * produced it) and when it was consumed here, so the latency splits into the enrichment hop and
 * the delivery hop. A process of its own, so its work is not on the producer's event loop.
 * It reads with the Kafka client under test (what a platform consumer on that client sees), kafkajs
 * when none is named.
 * Prints "ready" once it has joined; on SIGTERM writes the samples (lib/latency-samples.ts) and exits.
 *   bun bench/latency-consumer.ts <brokers> <topic> <out-file> [kafkajs|platformatic]
 */
import { HEADER } from "@iot/common/wire";
import { benchBus } from "./lib/kafka";
import { createSampleBuffer } from "./lib/latency-samples";
import { clientsFlag } from "./lib/services";

const [brokers, topic, outFile, clientName = "kafkajs"] = Bun.argv.slice(2);
if (!brokers || !topic || !outFile)
  throw new Error("usage: bun bench/latency-consumer.ts <brokers> <topic> <out-file> [kafkajs|platformatic]");
const [client] = clientsFlag(clientName);
const samples = createSampleBuffer();
const bus = await benchBus(brokers, "bench-latency-consumer", client);
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
