import { describe, expect, test } from "bun:test";
import { createLogger } from "../logger";
import { eventually, quietLogger } from "../testing";
import { runBusContract } from "./bus-contract";
import { createMemoryBus } from "./memory-bus";

runBusContract(
  "in-process",
  async (topics) => createMemoryBus({ topics, log: quietLogger(), retryDelayMs: 20 }),
  2_000,
);

test("a failing handler is logged once per failure streak, then its recovery with the count, and the batch is delivered", async () => {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger("test", { write: (line) => lines.push(JSON.parse(line)) });
  const bus = createMemoryBus({ topics: [{ name: "t", partitions: 1 }], log, retryDelayMs: 1 });
  let attempts = 0;
  const delivered: number[] = [];
  await bus.subscribe({
    groupId: "g",
    topics: ["t"],
    fromBeginning: true,
    handler: async (b) => {
      if (++attempts <= 4) throw new Error(`registry down (attempt ${attempts})`);
      delivered.push(...b.records.map((r) => r.value[0]!));
    },
  });
  await bus.publish("t", [{ key: "k", value: new Uint8Array([7]) }]);
  await eventually("the batch after 4 failures", () => (delivered.length > 0 ? true : undefined), 2_000);
  await bus.stop();
  expect(delivered).toEqual([7]);
  const about = lines.filter((l) => String(l.msg).startsWith("in-process bus: batch handler"));
  expect(about).toMatchObject([
    { level: "warn", groupId: "g", partition: "t/0", error: "registry down (attempt 1)" },
    { level: "info", groupId: "g", partition: "t/0", failed_attempts: 4 },
  ]);
});

describe("in-process bus limits", () => {
  const rec = (i: number) => ({ key: `k${i}`, value: new Uint8Array([i]) });

  test("publish waits for a slow group instead of growing without bound", async () => {
    const bus = createMemoryBus({
      topics: [{ name: "t", partitions: 1 }],
      log: quietLogger(),
      capacity: 10,
      maxBatch: 5,
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const got: number[] = [];
    await bus.subscribe({
      groupId: "g",
      topics: ["t"],
      fromBeginning: true,
      handler: async (b) => {
        await gate;
        got.push(...b.records.map((r) => r.value[0]!));
      },
    });
    let published = false;
    const publishing = bus
      .publish(
        "t",
        Array.from({ length: 25 }, (_, i) => rec(i)),
      )
      .then(() => (published = true));
    await Bun.sleep(50);
    expect(published).toBe(false);
    release();
    await publishing;
    await bus.stop();
    expect(got.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
  });

  test("with no group subscribed the oldest records are dropped and counted", async () => {
    const drops: number[] = [];
    const bus = createMemoryBus({
      topics: [{ name: "t", partitions: 1 }],
      log: quietLogger(),
      capacity: 10,
      onDrop: (_t, n) => drops.push(n),
    });
    await bus.publish(
      "t",
      Array.from({ length: 15 }, (_, i) => rec(i)),
    );
    expect(drops.reduce((a, b) => a + b, 0)).toBe(5);
    expect((await bus.stats(["t"], [])).topics[0]!.records).toBe(15);
  });
});

test("an ephemeral group that stopped no longer holds records back; a kept group resumes where it stopped", async () => {
  const bus = createMemoryBus({ topics: [{ name: "t", partitions: 1 }], log: quietLogger(), capacity: 5 });
  const session = await bus.subscribe({
    groupId: "session",
    topics: ["t"],
    ephemeral: true,
    startAt: { 0: 0 },
    handler: async () => {},
  });
  await session.stop();
  // With the stopped group still counted, the sixth record would wait for it for ever.
  const published = bus.publish(
    "t",
    Array.from({ length: 20 }, (_, i) => ({ key: "k", value: new Uint8Array([i]) })),
  );
  expect(await Promise.race([published.then(() => "published"), Bun.sleep(1_000).then(() => "blocked")])).toBe(
    "published",
  );
  const seen: number[] = [];
  await bus.subscribe({
    groupId: "resume",
    topics: ["t"],
    startAt: { 0: 17 },
    handler: async (b) => void seen.push(...b.records.map((r) => r.value[0]!)),
  });
  await eventually("records from offset 17", () => (seen.length >= 3 ? true : undefined), 2_000);
  expect(seen).toEqual([17, 18, 19]);
  await bus.stop();
});
