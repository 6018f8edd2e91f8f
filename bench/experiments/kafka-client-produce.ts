/**
 * Experiment (not part of `bun run bench`): the produce path alone, kafkajs (the project's client)
 * against @platformatic/kafka, with records shaped like enrichment's output (value size, key, the
 * three headers) sent the way createKafkaBus.publish sends them (≤ 512 KiB of values per send,
 * one send at a time, acks=all), to a fresh 6-partition topic. --platformatic names the module to
 * import, so another build or version can be measured against the project's own.
 *   bun bench/experiments/kafka-client-produce.ts --platformatic @platformatic/kafka [--size 1780] [--records 200000]
 */
import { parseArgs } from "node:util";
import { CONTENT_TYPE, HEADER } from "@iot/common/wire";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { printTable, round, type Row } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    platformatic: { type: "string" },
    size: { type: "string", default: "1780" },
    records: { type: "string", default: "200000" },
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
  },
});
const [n, size] = [Number(flags.records), Number(flags.size)];
const brokers = flags.brokers.split(",");
const value = Buffer.alloc(size, "x");
const records = Array.from({ length: n }, (_, i) => ({
  key: `breaker-${String(i % 20_000).padStart(5, "0")}`,
  value,
  headers: {
    [HEADER.contentType]: CONTENT_TYPE.json,
    [HEADER.messageId]: `bench.pipeline.raw/3/${i}`,
    [HEADER.sourceTimestamp]: String(Date.now()),
  },
}));
const perSend = Math.max(1, Math.floor((512 * 1024) / size));
type Send = (topic: string, batch: typeof records) => Promise<unknown>;

const kafka = new Kafka({ clientId: "bench-produce", brokers, logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
const rows: Row[] = [];

async function measure(client: string, send: Send) {
  const topic = `bench.produce.${client.replace(/\W/g, "")}.${Date.now().toString(36)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }], waitForLeaders: true });
  await send(topic, records.slice(0, 1000)); // connections and metadata before the clock starts
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i += perSend) await send(topic, records.slice(i, i + perSend));
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await admin.deleteTopics({ topics: [topic] });
  rows.push({
    client,
    value_bytes: size,
    msgs_per_s: Math.round(n / s),
    cpu_us_per_msg: round((cpu.user + cpu.system) / n, 1),
    cpu_pct: Math.round(((cpu.user + cpu.system) / 1e6 / s) * 100),
  });
}

const kafkajs = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
await kafkajs.connect();
const clients: Array<[string, Send, () => Promise<unknown>]> = [
  ["kafkajs 2.2.4", (topic, batch) => kafkajs.send({ topic, acks: -1, messages: batch }), () => kafkajs.disconnect()],
];
if (flags.platformatic) {
  const { Producer, ProduceAcks } = await import(flags.platformatic);
  const producer = new Producer({
    clientId: "bench-produce-platformatic",
    bootstrapBrokers: brokers,
    acks: ProduceAcks.ALL,
  });
  const send: Send = (topic, batch) =>
    producer.send({
      messages: batch.map((r) => ({
        topic,
        key: Buffer.from(r.key),
        value: r.value,
        headers: new Map(Object.entries(r.headers).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
      })),
    });
  clients.push(["@platformatic/kafka", send, () => producer.close()]);
}
for (let pass = 0; pass < 2; pass++) for (const [name, send] of clients) await measure(name, send);
for (const [, , close] of clients) await close();
await admin.disconnect();
printTable(`Produce path alone: ${n} records, ${perSend} per send, acks=all, 6 partitions (2 passes each)`, rows);
