import { expect, test } from "bun:test";
import { Admin } from "@platformatic/kafka";
import { runBusContract } from "../src/bus/bus-contract";
import { createPlatformaticBus } from "../src/bus/platformatic-bus";
import { retrying } from "../src/bus/retrying";
import { createLogger } from "../src/logger";
import { eventually, kafkaBrokers, quietLogger, uniqueName } from "../src/testing";

const enc = new TextEncoder();
const dec = new TextDecoder();

// Against the real broker the run started (KAFKA_BROKERS); without one this fails, never skips.
runBusContract(
  "platformatic",
  async (topics) =>
    createPlatformaticBus({ brokers: kafkaBrokers(), clientId: uniqueName("contract"), topics, log: quietLogger() }),
  30_000,
);

test("a consumer that loses its topic is relaunched, logs the outage once, and carries on when the topic is back", async () => {
  const topic = uniqueName("relaunch");
  const lines: string[] = [];
  const log = createLogger("test", { level: "info", write: (l) => lines.push(l) });
  const bus = createPlatformaticBus({
    brokers: kafkaBrokers(),
    clientId: uniqueName("relaunch"),
    topics: [{ name: topic, partitions: 1 }],
    log,
  });
  const admin = new Admin({ clientId: uniqueName("relaunch-admin"), bootstrapBrokers: kafkaBrokers() });
  await bus.start();
  const seen: string[] = [];
  const sub = await bus.subscribe({
    groupId: uniqueName("g"),
    topics: [topic],
    fromBeginning: true,
    handler: async (b) => void seen.push(...b.records.map((r) => dec.decode(r.value))),
  });
  try {
    await bus.publish(topic, [{ key: "k", value: enc.encode("before") }]);
    await eventually("the first record", () => (seen.includes("before") ? true : undefined), 30_000);
    // Fetching a deleted topic fails: the consumer's stream dies and the subscription starts over.
    await admin.deleteTopics({ topics: [topic] });
    await eventually(
      "the outage warning",
      () => (lines.some((l) => l.includes("kafka consumer failed")) ? true : undefined),
      30_000,
    );
    await admin.createTopics({ topics: [topic], partitions: 1 });
    await retrying(() => bus.publish(topic, [{ key: "k", value: enc.encode("after") }]), { attempts: 10 });
    await eventually(
      "the record published after the topic came back",
      () => (seen.includes("after") ? true : undefined),
      60_000,
    );
    await eventually(
      "the 'back' line",
      () => (lines.some((l) => l.includes("kafka consumer back")) ? true : undefined),
      10_000,
    );
    expect(lines.filter((l) => l.includes('"level":"warn"') && l.includes("kafka consumer failed")).length).toBe(1);
  } finally {
    await sub.stop();
    await bus.stop();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.close();
  }
}, 120_000);
