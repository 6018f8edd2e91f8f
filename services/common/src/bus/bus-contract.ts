/** The bus contract, one suite run against every adapter (memory-bus.test.ts, kafka-bus.test.ts, platformatic-bus.test.ts). */
import { afterAll, describe, expect, test } from "bun:test";
import type { Batch, EventBus, IncomingRecord, SubscribeOptions, Subscription, TopicSpec } from "../bus";
import { eventually, uniqueName } from "../testing";

type MakeBus = (topics: TopicSpec[]) => Promise<EventBus>;

const enc = new TextEncoder();
const dec = new TextDecoder();
const text = (r: IncomingRecord) => dec.decode(r.value);
const records = (prefix: string, keys: string[], perKey: number) =>
  keys.flatMap((key) =>
    Array.from({ length: perKey }, (_, i) => ({
      key,
      value: enc.encode(`${prefix}${key}:${i}`),
      headers: { n: String(i) },
    })),
  );

export function runBusContract(name: string, makeBus: MakeBus, timeoutMs: number) {
  describe(`${name} bus contract`, () => {
    const opened: Array<EventBus | Subscription> = [];
    const open = async (topic: string) => {
      const bus = await makeBus([{ name: topic, partitions: 3 }]);
      await bus.start();
      opened.push(bus);
      return bus;
    };
    const subscribe = async (
      bus: EventBus,
      topic: string,
      groupId: string,
      handler: (b: Batch) => Promise<void>,
      startAt?: SubscribeOptions["startAt"],
    ) => {
      const sub = await bus.subscribe({ groupId, topics: [topic], fromBeginning: true, startAt, handler });
      opened.push(sub);
      return sub;
    };
    afterAll(async () => {
      for (const x of opened.reverse()) await x.stop();
    });

    test(
      "keeps per-key order and passes keys and headers through",
      async () => {
        const topic = uniqueName("order");
        const bus = await open(topic);
        const keys = ["dev-a", "dev-b", "dev-c", "dev-d"];
        await bus.publish(topic, records("", keys, 50));
        const seen: IncomingRecord[] = [];
        await subscribe(bus, topic, uniqueName("g"), async (b) => void seen.push(...b.records));
        await eventually("200 records", () => (seen.length >= 200 ? true : undefined), timeoutMs);
        for (const key of keys) {
          const mine = seen.filter((r) => r.key === key);
          expect(mine.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `${key}:${i}`));
          expect(mine.map((r) => r.headers.n)).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
          expect(new Set(mine.map((r) => r.partition)).size).toBe(1);
        }
      },
      timeoutMs * 2,
    );

    test(
      "two subscribers of one group share the partitions and together see everything",
      async () => {
        const topic = uniqueName("share");
        const bus = await open(topic);
        const group = uniqueName("g");
        const byMember: IncomingRecord[][] = [[], []];
        await subscribe(bus, topic, group, async (b) => void byMember[0]!.push(...b.records));
        await subscribe(bus, topic, group, async (b) => void byMember[1]!.push(...b.records));
        // Keys spread over all three partitions once both members hold some of them.
        const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
        await bus.publish(topic, records("", keys, 10));
        await eventually(
          "300 records across both members",
          () => (new Set([...byMember[0]!, ...byMember[1]!].map(text)).size === 300 ? true : undefined),
          timeoutMs,
        );
        expect(byMember[0]!.length).toBeGreaterThan(0);
        expect(byMember[1]!.length).toBeGreaterThan(0);
        const parts = byMember.map((m) => new Set(m.map((r) => r.partition)));
        expect([...parts[0]!].filter((p) => parts[1]!.has(p))).toEqual([]);
      },
      timeoutMs * 3,
    );

    test(
      "a batch whose handler threw is delivered again",
      async () => {
        const topic = uniqueName("redeliver");
        const bus = await open(topic);
        await bus.publish(topic, records("", ["only"], 5));
        let failures = 0;
        const done: string[] = [];
        await subscribe(bus, topic, uniqueName("g"), async (b) => {
          if (failures === 0) {
            failures++;
            throw new Error("transient failure");
          }
          done.push(...b.records.map(text));
        });
        await eventually("the 5 records after a failure", () => (done.length >= 5 ? true : undefined), timeoutMs * 2);
        expect(failures).toBe(1);
        expect(done.slice(0, 5)).toEqual(["only:0", "only:1", "only:2", "only:3", "only:4"]);
      },
      timeoutMs * 3,
    );

    test(
      "a restarted subscriber resumes where its group committed, losing nothing",
      async () => {
        const topic = uniqueName("restart");
        const bus = await open(topic);
        const group = uniqueName("g");
        const first: string[] = [];
        const sub = await bus.subscribe({
          groupId: group,
          topics: [topic],
          fromBeginning: true,
          handler: async (b) => void first.push(...b.records.map(text)),
        });
        await bus.publish(topic, records("a/", ["x", "y", "z"], 20));
        await eventually("the first 60", () => (first.length >= 60 ? true : undefined), timeoutMs);
        await sub.stop();
        await bus.publish(topic, records("b/", ["x", "y", "z"], 20));
        const second: string[] = [];
        await subscribe(bus, topic, group, async (b) => void second.push(...b.records.map(text)));
        await eventually(
          "the next 60",
          () => (second.filter((s) => s.startsWith("b/")).length >= 60 ? true : undefined),
          timeoutMs,
        );
        expect(new Set([...first, ...second]).size).toBe(120);
        // Committed progress survived the restart: the first 60 are not all replayed.
        expect(second.filter((s) => s.startsWith("a/")).length).toBeLessThan(60);
      },
      timeoutMs * 3,
    );

    test(
      "a new group starts where startAt says for the partitions it names, as fromBeginning says for the others",
      async () => {
        const topic = uniqueName("start-at");
        const bus = await open(topic);
        const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
        await bus.publish(topic, records("a/", keys, 2));
        const ends = (await bus.stats([topic], [])).topics[0]!.ends;
        expect(ends.every((e) => e >= 2)).toBe(true);
        // Partition 0 from its last record (a resumed stream), 1 from its end as seen now (a new
        // application), 2 not named: from its beginning.
        const startAt = { 0: ends[0]! - 1, 1: ends[1]! };
        const seen: IncomingRecord[] = [];
        await subscribe(bus, topic, uniqueName("g"), async (b) => void seen.push(...b.records), startAt);
        await bus.publish(topic, records("b/", keys, 1));
        const expected = 1 + ends[2]! + keys.length;
        await eventually(
          `${expected} records`,
          () => (new Set(seen.map(text)).size >= expected ? true : undefined),
          timeoutMs,
        );
        const firstOffset = (p: number) =>
          Math.min(...seen.filter((r) => r.partition === p).map((r) => Number(r.offset)));
        expect([0, 1, 2].map(firstOffset)).toEqual([ends[0]! - 1, ends[1]!, 0]);
        expect(new Set(seen.map(text)).size).toBe(expected);
      },
      timeoutMs * 2,
    );

    test(
      "startAt is ignored for partitions the group has committed: it resumes from its commits",
      async () => {
        const topic = uniqueName("start-at-committed");
        const bus = await open(topic);
        const group = uniqueName("g");
        const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
        await bus.publish(topic, records("a/", keys, 2));
        const first: string[] = [];
        const sub = await bus.subscribe({
          groupId: group,
          topics: [topic],
          fromBeginning: true,
          handler: async (b) => void first.push(...b.records.map(text)),
        });
        await eventually(
          "every record read and committed",
          async () => (first.length >= 60 && (await bus.stats([topic], [group])).lag[0]?.lag === 0 ? true : undefined),
          timeoutMs,
        );
        await sub.stop();
        await bus.publish(topic, records("b/", keys, 1));
        const second: string[] = [];
        await subscribe(bus, topic, group, async (b) => void second.push(...b.records.map(text)), { 0: 0, 1: 0, 2: 0 });
        await eventually(
          "the 30 new records",
          () => (new Set(second.filter((v) => v.startsWith("b/"))).size >= 30 ? true : undefined),
          timeoutMs,
        );
        expect(second.filter((v) => v.startsWith("a/"))).toEqual([]);
      },
      timeoutMs * 2,
    );

    test(
      "many small records under one key with large headers are published and delivered",
      async () => {
        const topic = uniqueName("heavy-headers");
        const bus = await open(topic);
        // ~3 MB of headers on one partition: more than one broker batch may hold.
        const heavy = Array.from({ length: 5_000 }, (_, i) => ({
          key: "one-device",
          value: enc.encode(`bad-${i}`),
          headers: { reason: "x".repeat(600) },
        }));
        await bus.publish(topic, heavy);
        expect((await bus.stats([topic], [])).topics[0]!.records).toBe(5_000);
      },
      timeoutMs * 2,
    );

    test(
      "stats count records and group lag",
      async () => {
        const topic = uniqueName("stats");
        const bus = await open(topic);
        await bus.publish(topic, records("", ["a", "b"], 5));
        const stats = await bus.stats([topic], []);
        expect(stats.topics).toMatchObject([{ topic, partitions: 3, records: 10 }]);
        expect(stats.topics[0]!.ends.reduce((a, b) => a + b, 0)).toBe(10);
      },
      timeoutMs,
    );
  });
}
