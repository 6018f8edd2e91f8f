import { describe, expect, test } from "bun:test";
import type { OutgoingRecord } from "@iot/common/bus";
import { quietLogger } from "@iot/common/testing";
import { createBatcher } from "./raw-batcher";

/** A bus whose publishes wait until the test lets them through (or fails them). */
function heldBus() {
  const calls: Array<{ records: OutgoingRecord[]; ok: () => void; fail: (e: Error) => void }> = [];
  return {
    calls,
    publish: (_topic: string, records: OutgoingRecord[]) =>
      new Promise<void>((ok, fail) => calls.push({ records, ok, fail })),
  };
}
const rec = (key: string, bytes = 100): OutgoingRecord => ({ key, value: new Uint8Array(bytes) });
const settled = async (p: Promise<unknown>) =>
  await Promise.race([p.then(() => true), Bun.sleep(30).then(() => false)]);

describe("batcher", () => {
  test("records from many callers go out in one publish; each caller resolves only when the broker acknowledged", async () => {
    const bus = heldBus();
    const b = createBatcher({
      bus,
      topic: "t",
      log: quietLogger(),
      lingerMs: 5,
      batchRecords: 1000,
      maxInflightBytes: 1e6,
    });
    const acks = Array.from({ length: 50 }, (_, i) => b.submit([rec("same-device", 10 + i)]));
    await Bun.sleep(20);
    expect(bus.calls.length).toBe(1);
    expect(bus.calls[0]!.records.length).toBe(50);
    expect(await settled(acks[0]!)).toBe(false);
    bus.calls[0]!.ok();
    await Promise.all(acks);
    expect(b.inflightBytes()).toBe(0);
  });

  test("over the in-flight bound: submit waits for room, trySubmit refuses at once", async () => {
    const bus = heldBus();
    const b = createBatcher({
      bus,
      topic: "t",
      log: quietLogger(),
      lingerMs: 0,
      batchRecords: 1,
      maxInflightBytes: 1_000,
    });
    const first = b.submit([rec("a", 900)]);
    expect(b.trySubmit([rec("b", 500)])).toBeUndefined();
    const waiting = b.submit([rec("b", 500)]);
    await Bun.sleep(10);
    expect(bus.calls.length).toBe(1); // the second is not even queued
    bus.calls[0]!.ok();
    await first;
    await Bun.sleep(10);
    expect(bus.calls.length).toBe(2);
    bus.calls[1]!.ok();
    await waiting;
  });

  test("a failed publish is retried with the same records, in order, and nobody is acked before it succeeds", async () => {
    const bus = heldBus();
    const b = createBatcher({
      bus,
      topic: "t",
      log: quietLogger(),
      lingerMs: 0,
      batchRecords: 10,
      maxInflightBytes: 1e6,
      backoffMs: { initial: 5, max: 5 },
    });
    const ack = b.submit([rec("a"), rec("a")]);
    await Bun.sleep(5);
    bus.calls[0]!.fail(new Error("broker down"));
    await Bun.sleep(20);
    expect(bus.calls.length).toBe(2);
    expect(bus.calls[1]!.records).toEqual(bus.calls[0]!.records);
    expect(await settled(ack)).toBe(false);
    bus.calls[1]!.ok();
    await ack;
  });

  test("stop flushes what waits; with the broker still down it gives up at the deadline and counts what was never acked", async () => {
    const bus = heldBus();
    const b = createBatcher({
      bus,
      topic: "t",
      log: quietLogger(),
      lingerMs: 1_000,
      batchRecords: 1_000,
      maxInflightBytes: 1e6,
    });
    void b.submit([rec("a")]);
    void b.submit([rec("z"), rec("z")]);
    const stopped = b.stop(50);
    await Bun.sleep(5);
    expect(bus.calls.length).toBe(2); // sent at once (one per lane), not after the linger
    expect(await stopped).toBe(3);
  });
});
