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

test("a database that fails mid-batch: the batch is retried from the store's state and raises once", async () => {
  const doc = await shippedRegistry();
  doc.device_types.smart_breaker.alarm_rules = [{ ...OVERTEMP, for_seconds: 0 }];
  const registry = parseDeviceRegistry(doc);
  const real = openSqliteStore(":memory:");
  let failures = 2; // the save, then the reload right after it
  const flaky: AlarmStore = {
    ...real,
    save: (c) => (failures-- > 0 ? Promise.reject(new Error("database away")) : real.save(c)),
    load: () => (failures-- > 0 ? Promise.reject(new Error("database away")) : real.load()),
  };
  const bus = createMemoryBus({ topics: [{ name: "alarms", partitions: 1 }] });
  await bus.start();
  const engine = createEngine({ rules: (t) => registry.alarmRules.get(t) ?? [], newId: () => crypto.randomUUID(), persistSeenEveryMs: 60_000 });
  engine.load(await real.load(), 0);
  const published: AlarmEvent[] = [];
  const processor = createProcessor({ engine, store: flaky, bus, topic: "alarms", format: "json", metrics: createAlarmMetrics(createMetrics(), engine.activeAlarms), log: quietLogger(), now: () => 0, onPublished: (e) => void published.push(...e) });
  const r = enrichedRecord(enriched("b1", { temperature: { value: 75 } }), 1, 1_000);
  const batch: Batch = { topic: "enriched", partition: 0, records: [{ topic: "enriched", partition: 0, offset: "0", key: r.key, value: r.value, headers: r.headers!, timestamp: 1_000 }] };

  await expect(processor.handleBatch(batch)).rejects.toThrow("database away");
  expect(published).toEqual([]);
  await processor.handleBatch(batch); // the bus offers it again
  await processor.handleBatch(batch); // and once more, as after a crash before the commit
  expect(published.map((e) => e.kind)).toEqual(["raised"]);
  expect((await real.active({})).map((a) => a.deviceId)).toEqual(["b1"]);
  await bus.stop();
});
