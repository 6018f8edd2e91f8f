import { expect, test } from "bun:test";
import type { Batch } from "@iot/common/bus";
import { createMemoryBus } from "@iot/common/bus/memory-bus";
import { parseDeviceRegistry } from "@iot/common/device-registry";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { enriched, enrichedRecord, OVERTEMP, shippedRegistry } from "../test/support";
import type { AlarmEvent } from "./alarm";
import { createAlarmMetrics } from "./alarm-metrics";
import { openSqliteStore } from "./db/sqlite-store";
import type { AlarmStore } from "./db/store";
import { createEngine } from "./engine";
import { createProcessor } from "./processor";

async function setUp(rules: unknown[], store?: (real: AlarmStore) => AlarmStore, clock = { now: 0 }) {
  const doc = await shippedRegistry();
  doc.device_types.smart_breaker.alarm_rules = rules;
  const registry = parseDeviceRegistry(doc);
  const real = openSqliteStore(":memory:");
  const bus = createMemoryBus({ topics: [{ name: "alarms", partitions: 1 }], log: quietLogger() });
  await bus.start();
  const engine = createEngine({
    rules: (t) => registry.alarmRules.get(t) ?? [],
    newId: () => crypto.randomUUID(),
    persistSeenEveryMs: 60_000,
  });
  engine.load(await real.load(), clock.now);
  const published: AlarmEvent[] = [];
  const processor = createProcessor({
    engine,
    store: store ? store(real) : real,
    bus,
    topic: "alarms",
    format: "json",
    metrics: createAlarmMetrics(createMetrics(), engine.activeAlarms),
    log: quietLogger(),
    now: () => clock.now,
    onPublished: (e) => void published.push(...e),
  });
  return { real, bus, processor, published };
}

const batchOf = (celsius: number, offset: number, at: number): Batch => {
  const r = enrichedRecord(enriched("b1", { temperature: { value: celsius } }), offset, at);
  return {
    topic: "enriched",
    partition: 0,
    records: [
      {
        topic: "enriched",
        partition: 0,
        offset: String(offset),
        key: r.key,
        value: r.value,
        headers: r.headers!,
        timestamp: at,
      },
    ],
  };
};

test("ticks wait while a backlog is read: the reading that proves a device alive may still be queued", async () => {
  const clock = { now: 100_000 };
  const { processor, published, bus } = await setUp(
    [{ id: "silent", kind: "silent", intervals: 3, severity: "major", message: "m" }],
    undefined,
    clock,
  );
  await processor.handleBatch(batchOf(40, 1, 10_000)); // a record 90 s old: catching up
  clock.now = 120_000;
  await processor.handleBatch(batchOf(40, 2, 11_000));
  await processor.tick();
  expect(published).toEqual([]);
  clock.now = 120_501; // no batch for a moment: caught up (or idle), silence counts
  await processor.tick();
  expect(published.map((e) => [e.kind, e.alarm.ruleId])).toEqual([["raised", "silent"]]);
  await bus.stop();
});

test("a database that fails mid-batch: the batch is retried from the store's state and raises once", async () => {
  let failures = 2; // the save, then the reload right after it
  const { real, bus, processor, published } = await setUp([{ ...OVERTEMP, for_seconds: 0 }], (real) => ({
    ...real,
    save: (c) => (failures-- > 0 ? Promise.reject(new Error("database away")) : real.save(c)),
    load: () => (failures-- > 0 ? Promise.reject(new Error("database away")) : real.load()),
  }));
  const batch = batchOf(75, 1, 1_000);

  await expect(processor.handleBatch(batch)).rejects.toThrow("database away");
  expect(published).toEqual([]);
  await processor.handleBatch(batch); // the bus offers it again
  await processor.handleBatch(batch); // and once more, as after a crash before the commit
  expect(published.map((e) => e.kind)).toEqual(["raised"]);
  expect((await real.active({})).map((a) => a.deviceId)).toEqual(["b1"]);
  await bus.stop();
});
