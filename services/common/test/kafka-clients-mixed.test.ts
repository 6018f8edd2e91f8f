import { afterAll, expect, test } from "bun:test";
import { Producer } from "@platformatic/kafka";
import type { EventBus, IncomingRecord, Subscription } from "../src/bus";
import { createKafkaBus } from "../src/bus/kafka-bus";
import { createPlatformaticBus } from "../src/bus/platformatic-bus";
import { eventually, kafkaBrokers, quietLogger, uniqueName } from "../src/testing";

// Replicas on either client share topics and groups while a deployment moves from one to the other.
const opened: Array<EventBus | Subscription> = [];
afterAll(async () => {
  for (const x of opened.reverse()) await x.stop();
});

const enc = new TextEncoder();
const makers = {
  kafkajs: (topic: string) =>
    createKafkaBus({
      brokers: kafkaBrokers(),
      clientId: uniqueName("mixed"),
      topics: [{ name: topic, partitions: 3 }],
      log: quietLogger(),
      compression: { [topic]: "zstd" },
    }),
  platformatic: (topic: string) =>
    createPlatformaticBus({
      brokers: kafkaBrokers(),
      clientId: uniqueName("mixed"),
      topics: [{ name: topic, partitions: 3 }],
      log: quietLogger(),
      compression: { [topic]: "zstd" },
    }),
};

for (const [writer, reader] of [
  ["platformatic", "kafkajs"],
  ["kafkajs", "platformatic"],
] as const) {
  test(`zstd batches ${writer} wrote are read by ${reader}, each key on the partition both clients pick`, async () => {
    const topic = uniqueName(`mixed-${writer}`);
    const [w, r] = [makers[writer](topic), makers[reader](topic)];
    for (const bus of [w, r]) {
      await bus.start();
      opened.push(bus);
    }
    const keys = Array.from({ length: 24 }, (_, i) => `device-${i}`);
    const records = keys.flatMap((key) =>
      Array.from({ length: 10 }, (_, i) => ({
        key,
        value: enc.encode(`${key}:${i}:${"x".repeat(200)}`),
        headers: { n: String(i) },
      })),
    );
    await w.publish(topic, records);
    const seen: IncomingRecord[] = [];
    opened.push(
      await r.subscribe({
        groupId: uniqueName("g"),
        topics: [topic],
        fromBeginning: true,
        handler: async (b) => void seen.push(...b.records),
      }),
    );
    await eventually("240 records", () => (seen.length >= 240 ? true : undefined), 30_000);
    // The reader writes the same keys again: each must land on the partition the writer chose.
    await r.publish(
      topic,
      records.slice(0, 24 * 10).filter((_, i) => i % 10 === 0),
    );
    await eventually("264 records", () => (seen.length >= 264 ? true : undefined), 30_000);
    for (const key of keys) {
      const mine = seen.filter((x) => x.key === key);
      expect(new Set(mine.map((x) => x.partition)).size).toBe(1);
      expect(mine.slice(0, 10).map((x) => x.headers.n)).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    }
  }, 60_000);
}

test("a record with a null header value (another producer's) is delivered by both clients, the value read as empty text", async () => {
  const topic = uniqueName("null-header");
  const readers = [makers.kafkajs(topic), makers.platformatic(topic)];
  for (const bus of readers) {
    await bus.start();
    opened.push(bus);
  }
  // kafkajs cannot write a null header value; @platformatic/kafka's own producer can.
  const producer = new Producer({ clientId: uniqueName("null-header"), bootstrapBrokers: kafkaBrokers() });
  try {
    const headers = new Map<Buffer, Buffer | null>([
      [Buffer.from("trace"), null],
      [Buffer.from("n"), Buffer.from("1")],
    ]);
    await producer.send({
      messages: [
        {
          topic,
          key: Buffer.from("device-0"),
          value: Buffer.from("null-header"),
          headers: headers as Map<Buffer, Buffer>,
        },
      ],
    });
  } finally {
    await producer.close();
  }
  for (const bus of readers) {
    const seen: IncomingRecord[] = [];
    opened.push(
      await bus.subscribe({
        groupId: uniqueName("g"),
        topics: [topic],
        fromBeginning: true,
        handler: async (b) => void seen.push(...b.records),
      }),
    );
    const [record] = await eventually("the record", () => (seen.length > 0 ? seen : undefined), 30_000);
    expect(record!.headers).toEqual({ trace: "", n: "1" });
  }
});
