/** Ephemeral groups on the real broker, for both Kafka adapters: the in-process bus has no broker to leave them in. */
import { afterAll, expect, test } from "bun:test";
import { Admin } from "@platformatic/kafka";
import type { EventBus, TopicSpec } from "../src/bus";
import { createKafkaBus } from "../src/bus/kafka-bus";
import { createPlatformaticBus } from "../src/bus/platformatic-bus";
import { eventually, kafkaBrokers, quietLogger, uniqueName } from "../src/testing";

const adapters: Array<[string, (topics: TopicSpec[]) => EventBus]> = [
  [
    "kafkajs",
    (topics) => createKafkaBus({ brokers: kafkaBrokers(), clientId: uniqueName("eph"), topics, log: quietLogger() }),
  ],
  [
    "platformatic",
    (topics) =>
      createPlatformaticBus({ brokers: kafkaBrokers(), clientId: uniqueName("eph"), topics, log: quietLogger() }),
  ],
];

const admin = new Admin({ clientId: uniqueName("eph-admin"), bootstrapBrokers: kafkaBrokers() });
afterAll(() => admin.close());

for (const [name, makeBus] of adapters) {
  test(`${name}: an ephemeral group is gone from the broker once its reader stops; a kept group stays`, async () => {
    const topic = uniqueName("ephemeral");
    const bus = makeBus([{ name: topic, partitions: 3 }]);
    await bus.start();
    try {
      await bus.publish(topic, [{ key: "k", value: new TextEncoder().encode("one") }]);
      const ephemeral = uniqueName("session");
      const kept = uniqueName("kept");
      const read = async (groupId: string, isEphemeral: boolean) => {
        const sub = await bus.subscribe({
          groupId,
          topics: [topic],
          fromBeginning: true,
          ephemeral: isEphemeral,
          handler: async () => {},
        });
        // Committed offsets keep a group in the broker for days: only a deletion removes it at once.
        await eventually(
          `${groupId} committed`,
          async () => ((await bus.stats([topic], [groupId])).lag[0]?.lag === 0 ? true : undefined),
          30_000,
        );
        await sub.stop();
      };
      await Promise.all([read(ephemeral, true), read(kept, false)]);
      const groups = await admin.listGroups();
      expect(groups.has(ephemeral)).toBe(false);
      expect(groups.has(kept)).toBe(true);
      await admin.deleteGroups({ groups: [kept] });
    } finally {
      await bus.stop();
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    }
  }, 60_000);
}
