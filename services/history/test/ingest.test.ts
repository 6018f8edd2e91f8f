/** The batch handler on a real SQLite store: what is stored, skipped and counted, and a batch offered twice. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Batch } from "@iot/common/bus";
import { encodeEnrichedEvent } from "@iot/common/codec";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import type { EnrichedEvent } from "@iot/common/telemetry";
import { quietLogger } from "@iot/common/testing";
import type { HistoryStore, Level } from "../src/db/store";
import { createHistoryMetrics } from "../src/history-metrics";
import { createIngest, MAX_AHEAD_MS } from "../src/ingest";
import { trendNaming } from "../src/points";
import { openTestStore } from "./support/stores";

const H = 3_600_000;
const NOW = Date.UTC(2026, 10, 29, 12);
const retentionMs: Record<Level, number> = { raw: 48 * H, "1m": 30 * 24 * H, "5m": 30 * 24 * H, "1h": 730 * 24 * H };
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000Z`;
const enrichment = {
  device_metadata: {
    device_type: "smart_breaker",
    device_type_name: "",
    device_type_description: "",
    device_category: "",
    capabilities: [],
    data_format: "",
    update_frequency: "",
    retention_policy: "",
  },
  application_registry: { device_type: "smart_breaker", registered_applications_count: 0, applications: [] },
  enrichment_info: {
    enriched_at: iso(NOW),
    enrichment_service: "t",
    enrichment_version: "0",
    device_type_detected: "smart_breaker",
    app_registry_integration: true,
  },
  data_quality: { out_of_range: [], missing_groups: [] },
};
const telemetry = (ts: number, measurements: Record<string, unknown>) =>
  ({
    device_id: "breaker-042",
    device_type: "smart_breaker",
    timestamp: iso(ts),
    event_type: "telemetry",
    measurements,
    ...enrichment,
  }) as EnrichedEvent;

let store: HistoryStore;
let close: () => Promise<void>;
beforeAll(async () => ({ store, close } = await openTestStore("sqlite")));
afterAll(() => close());

test("stores what it can, counts what it skips, and a batch offered twice changes no figure", async () => {
  const metrics = createMetrics();
  const handle = createIngest({
    store,
    metrics: createHistoryMetrics(metrics),
    trendName: () => trendNaming(() => ["voltage"]),
    retentionMs,
    log: quietLogger(),
    now: () => NOW,
  });
  const events = [
    telemetry(NOW - H, { voltage: { phase_a: 120, phase_b: "n/a", unit: "V" }, status: { ok: true } }),
    telemetry(NOW - 49 * H, { voltage: { phase_a: 118 } }), // older than raw retention
    telemetry(NOW + MAX_AHEAD_MS + 1, { voltage: { phase_a: 118 } }), // a clock far ahead
    {
      ...telemetry(NOW, {}),
      event_type: "trends",
      timestamp: iso(NOW - 300_000),
      trends: [{ c: "voltage_phase_a", v: 120, avg: 119, min: 118, max: 121, t: (NOW - 300_000) / 1000 }],
    } as unknown as EnrichedEvent,
    telemetry(NOW - 2 * H, { voltage: { phase_b: 117 } }), // kept after the refused ones
  ];
  const records = events.map((e, i) => ({
    topic: "t",
    partition: 0,
    offset: String(i),
    key: e.device_id,
    timestamp: NOW,
    ...encodeEnrichedEvent(e, i % 2 ? "protobuf" : "json"),
  }));
  records.push({
    topic: "t",
    partition: 0,
    offset: "9",
    key: "x",
    timestamp: NOW,
    value: new TextEncoder().encode("{not json"),
    headers: {},
  });
  const batch: Batch = { topic: "t", partition: 0, records };

  await handle(batch);
  await handle(batch);
  const m = parseMetrics(await metrics.render());
  expect(m.get('history_records_total{result="stored"}')).toBe(10);
  expect(m.get('history_records_total{result="undecodable"}')).toBe(2);
  expect(m.get('history_points_total{result="stored"}')).toBe(2);
  expect(m.get('history_points_total{result="duplicate"}')).toBe(2);
  expect(m.get('history_values_skipped_total{reason="non_numeric"}')).toBe(4); // "n/a" and a boolean, twice
  expect(m.get('history_values_skipped_total{reason="too_old"}')).toBe(2);
  expect(m.get('history_values_skipped_total{reason="future"}')).toBe(2);
  expect(await store.latest("breaker-042")).toEqual([
    { metric: "voltage.phase_a", ts: NOW - H, value: 120 },
    { metric: "voltage.phase_b", ts: NOW - 2 * H, value: 117 },
  ]);
  const [hour] = await store.range({
    deviceId: "breaker-042",
    metric: "voltage.phase_a",
    level: "1h",
    from: NOW - 2 * H,
    to: NOW,
    width: 2 * H,
  });
  expect(hour).toMatchObject({ count: 1, avg: 120 });
  const trends = await store.range({
    deviceId: "breaker-042",
    metric: "voltage.phase_a",
    level: "5m",
    from: NOW - H,
    to: NOW,
    width: H,
  });
  expect(trends).toEqual([{ t: NOW - H, count: null, avg: 119, min: 118, max: 121, last: 120 }]);
});

test("a write that fails throws, so the bus offers the batch again, and is counted", async () => {
  const metrics = createMetrics();
  const broken = { ...store, write: () => Promise.reject(new Error("database gone")) };
  const handle = createIngest({
    store: broken,
    metrics: createHistoryMetrics(metrics),
    trendName: () => trendNaming(() => []),
    retentionMs,
    log: quietLogger(),
    now: () => NOW,
  });
  const e = telemetry(NOW - H, { voltage: { phase_a: 1 } });
  const batch: Batch = {
    topic: "t",
    partition: 0,
    records: [{ topic: "t", partition: 0, offset: "0", key: "k", timestamp: NOW, ...encodeEnrichedEvent(e, "json") }],
  };
  await expect(handle(batch)).rejects.toThrow("database gone");
  expect(parseMetrics(await metrics.render()).get("history_write_failures_total")).toBe(1);
  expect(parseMetrics(await metrics.render()).get('history_records_total{result="stored"}')).toBe(0);
});

test("the partitions' batches handed in together are one transaction, and fail together", async () => {
  const writes: number[] = [];
  let failing = false;
  const counted = {
    ...store,
    write: (points: Parameters<HistoryStore["write"]>[0], trends: Parameters<HistoryStore["write"]>[1]) => {
      writes.push(points.length);
      return failing ? Promise.reject(new Error("database gone")) : store.write(points, trends);
    },
  };
  const handle = createIngest({
    store: counted,
    metrics: createHistoryMetrics(createMetrics()),
    trendName: () => trendNaming(() => []),
    retentionMs,
    log: quietLogger(),
    now: () => NOW,
  });
  const batchOf = (partition: number, deviceId: string): Batch => {
    const e = { ...telemetry(NOW - 2 * H, { voltage: { phase_a: partition } }), device_id: deviceId };
    const record = { topic: "t", partition, offset: "0", key: deviceId, timestamp: NOW };
    return { topic: "t", partition, records: [{ ...record, ...encodeEnrichedEvent(e, "json") }] };
  };
  const batches = [batchOf(0, "breaker-100"), batchOf(1, "breaker-101"), batchOf(2, "breaker-102")];
  await Promise.all(batches.map(handle));
  expect(writes).toEqual([3]);
  for (const [i, deviceId] of ["breaker-100", "breaker-101", "breaker-102"].entries())
    expect(await store.latest(deviceId)).toEqual([{ metric: "voltage.phase_a", ts: NOW - 2 * H, value: i }]);

  failing = true;
  const settled = await Promise.allSettled(batches.map(handle));
  expect(writes).toEqual([3, 3]);
  expect(settled.map((s) => s.status)).toEqual(["rejected", "rejected", "rejected"]);
});
