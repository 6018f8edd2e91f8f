/**
 * Part 7 — alarms: does evaluation keep up with the pipeline, and how soon is an alarm raised?
 *   bun bench/alarms.ts [--records 100000] [--rules 20] [--format json] [--rate 5000] [--seconds 10]
 * Input: realistic enriched records (the simulator's device models through enrichment's own
 * `enrich`), every device type carrying `--rules` value rules (the shipped ones, filled up with
 * rules on the type's other metrics at its registry bounds, so a few hold now and then) plus silence.
 * 1. Throughput, in this process, no broker: the service's batch handler (decode → evaluate →
 *    save to SQLite → publish to the in-process bus) over batches of 500, and decode + evaluate
 *    alone. Goal ≥ 50,000 msg/s.
 * 2. Raise latency, real broker: the alarms service in this process on fresh topics; a paced
 *    producer offers `--rate` enriched msg/s of background and, every 100 ms, one record that
 *    trips a breaker; latency = the raised event's arrival on the alarms topic − the triggering
 *    record's broker time (its `source-timestamp`), trips after the first second. Goal p99 ≤ 1 s.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { randomUUIDv7 } from "bun";
import type { Batch, IncomingRecord, OutgoingRecord } from "@iot/common/bus";
import { createMemoryBus } from "@iot/common/bus/memory-bus";
import { decodeDeviceEvent, decodeEnrichedEvent, encodeEnrichedEvent, type PayloadFormat } from "@iot/common/codec";
import { metricPaths } from "@iot/common/alarm-rules";
import { loadDeviceRegistry, type DeviceRegistry } from "@iot/common/device-registry";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { createAlarmMetrics } from "../services/alarms/src/alarm-metrics";
import { createAlarms } from "../services/alarms/src/alarms";
import { loadConfig } from "../services/alarms/src/config";
import { openSqliteStore } from "../services/alarms/src/db/sqlite-store";
import { Changes, createEngine } from "../services/alarms/src/engine";
import { brokerTime, MESSAGE_ID_HEADER, positionOf, SOURCE_TIME_HEADER } from "../services/alarms/src/input";
import { createProcessor } from "../services/alarms/src/processor";
import { buildProfiles } from "../services/enrichment/src/device-profile";
import { enrich } from "../services/enrichment/src/enrich";
import { generateRawRecords } from "./lib/fleet-data";
import { benchBus, createAdmin, useBroker } from "./lib/kafka";
import { writeResult } from "./lib/results";
import { runId } from "./lib/services";
import { percentile, sortedCopy } from "./lib/stats";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    records: { type: "string", default: "100000" },
    rules: { type: "string", default: "20" },
    format: { type: "string", default: "json" },
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "10" },
  },
});
const RECORDS = Number(flags.records);
const RULES = Number(flags.rules);
const format = flags.format as PayloadFormat;
const BATCH = 500;
const log = createLogger("bench-alarms", { level: "error" });

// ── the registry: every type with RULES value rules and a silent rule ─────────────────────────
const doc = JSON.parse(await Bun.file("config/device-registry.json").text());
for (const [id, type] of Object.entries<any>(doc.device_types)) {
  const shipped: any[] = type.alarm_rules ?? [];
  const value = shipped.filter((r) => r.kind !== "silent");
  const paths = [...metricPaths(type.measurements)];
  for (let i = 0; value.length < RULES; i++) {
    const metric = paths[i % paths.length]!;
    const [group, component] = metric.split(".") as [string, string];
    const spec = type.measurements[group];
    const bounds = spec.components?.[component] ?? spec;
    const max = typeof bounds.max_value === "number" ? bounds.max_value : 1e9;
    value.push({
      id: `bench_${i}`,
      metric,
      condition: { op: ">", value: max * (1 - 0.02 * (i % 3)) },
      for_seconds: i % 4 === 0 ? 0 : 10,
      severity: "minor",
      message: "{device_id} {metric} {value} {threshold}",
    });
  }
  type.alarm_rules = [...value.slice(0, RULES), ...shipped.filter((r) => r.kind === "silent")];
  if (type.alarm_rules.length < RULES) throw new Error(`${id}: only ${type.alarm_rules.length} rules`);
}
const registryPath = join(mkdtempSync(join(tmpdir(), "bench-alarms-")), "device-registry.json");
writeFileSync(registryPath, JSON.stringify(doc));
const registry: DeviceRegistry = await loadDeviceRegistry(registryPath);

// ── the input: enriched records as enrichment publishes them ───────────────────────────────────
const profiles = buildProfiles(registry);
const enrichContext = {
  profiles,
  registrations: () => ({ applications: [], current: true }),
  service: "bench",
  version: "0",
  enrichedAt: new Date().toISOString(),
};
const input: OutgoingRecord[] = [];
await generateRawRecords(RECORDS, ["json"], async (chunk) => {
  for (const r of chunk.get("json")!) {
    const { value, headers } = encodeEnrichedEvent(
      enrich(decodeDeviceEvent(r.value, r.headers ?? {}), enrichContext),
      format,
    );
    input.push({
      key: r.key,
      value,
      headers: {
        ...headers,
        [MESSAGE_ID_HEADER]: `bench.raw/0/${input.length}`,
        [SOURCE_TIME_HEADER]: String(Date.now()),
      },
    });
  }
});
const asIncoming = (r: OutgoingRecord, i: number): IncomingRecord => ({
  topic: "bench.enriched",
  partition: 0,
  offset: String(i),
  key: r.key,
  value: r.value,
  headers: r.headers ?? {},
  timestamp: Date.now(),
});
const incoming = input.map(asIncoming);
console.log(`${incoming.length} enriched records (${format}), ${RULES} value rules + silence per type`);

// ── 1. throughput ──────────────────────────────────────────────────────────────────────────────
function evaluateOnly(): number {
  const engine = createEngine({
    rules: (t) => registry.alarmRules.get(t) ?? [],
    newId: randomUUIDv7,
    persistSeenEveryMs: 60_000,
  });
  engine.load({ states: [], alarms: [], devices: [] }, Date.now());
  const t0 = performance.now();
  let changes = new Changes();
  for (const [i, r] of incoming.entries()) {
    if (i % BATCH === 0) changes = new Changes(); // one per batch, as the handler does
    engine.reading(
      { event: decodeEnrichedEvent(r.value, r.headers), at: brokerTime(r), position: positionOf(r) },
      changes,
    );
  }
  return incoming.length / ((performance.now() - t0) / 1000);
}

async function fullHandler(): Promise<{ rate: number; events: number }> {
  const store = openSqliteStore(join(mkdtempSync(join(tmpdir(), "bench-alarms-db-")), "alarms.db"));
  const bus = createMemoryBus({ topics: [{ name: "bench.alarms", partitions: 6 }], log });
  await bus.start();
  const engine = createEngine({
    rules: (t) => registry.alarmRules.get(t) ?? [],
    newId: randomUUIDv7,
    persistSeenEveryMs: 60_000,
  });
  engine.load(await store.load(), Date.now());
  const metrics = createAlarmMetrics(createMetrics(), engine.activeAlarms);
  let events = 0;
  const processor = createProcessor({
    engine,
    store,
    bus,
    topic: "bench.alarms",
    format,
    metrics,
    log,
    now: Date.now,
    onPublished: (e) => void (events += e.length),
  });
  const t0 = performance.now();
  for (let i = 0; i < incoming.length; i += BATCH) {
    const batch: Batch = { topic: "bench.enriched", partition: 0, records: incoming.slice(i, i + BATCH) };
    await processor.handleBatch(batch);
  }
  const rate = incoming.length / ((performance.now() - t0) / 1000);
  await bus.stop();
  await store.close();
  return { rate, events };
}

function decodeOnly(): number {
  const t0 = performance.now();
  for (const r of incoming) decodeEnrichedEvent(r.value, r.headers);
  return incoming.length / ((performance.now() - t0) / 1000);
}

evaluateOnly(); // warm-up
const decodeRate = decodeOnly();
const evalRate = evaluateOnly();
const full = await fullHandler();
const throughput = [
  { stage: "decode (checked, as the service does)", msgs_per_s: Math.round(decodeRate) },
  { stage: "decode + evaluate", msgs_per_s: Math.round(evalRate) },
  {
    stage: "batch handler: decode + evaluate + save (SQLite) + publish (in-process bus)",
    msgs_per_s: Math.round(full.rate),
    alarm_events: full.events,
  },
];
printTable(`Alarms — evaluation throughput (${RULES} value rules per type, batches of ${BATCH}, one core)`, throughput);

// ── 2. raise latency on the broker ─────────────────────────────────────────────────────────────
const broker = await useBroker();
const run = runId();
const topics = {
  raw: `bench-alm-${run}.raw`,
  enriched: `bench-alm-${run}.enriched`,
  dlq: `bench-alm-${run}.dlq`,
  alarms: `bench-alm-${run}.alarms`,
};
const admin = createAdmin(broker.brokers);
await admin.createTopics(Object.values(topics), 6);
const bus = await benchBus(broker.brokers, "bench-alarms");
const serviceBus = await benchBus(broker.brokers, "bench-alarms-service");
const config = loadConfig({
  KAFKA_BROKERS: broker.brokers,
  TOPIC_RAW: topics.raw,
  TOPIC_ENRICHED: topics.enriched,
  TOPIC_DLQ: topics.dlq,
  TOPIC_ALARMS: topics.alarms,
  ALARMS_GROUP: `bench-alm-${run}`,
  ALARMS_PORT: "0",
  DEVICE_REGISTRY_PATH: registryPath,
  ALARMS_DB_PATH: join(mkdtempSync(join(tmpdir(), "bench-alarms-db-")), "alarms.db"),
  PAYLOAD_FORMAT: format,
  LOG_LEVEL: "error",
});
const service = await createAlarms(config, { bus: serviceBus, log, metrics: createMetrics() });
await service.start();
const latencies: number[] = [];
const sub = await bus.subscribe({
  groupId: `bench-alm-read-${run}`,
  topics: [topics.alarms],
  fromBeginning: true,
  handler: async (b) => {
    const now = Date.now();
    for (const r of b.records) {
      const e = JSON.parse(new TextDecoder().decode(r.value));
      const trip = /^trip-.+-(\d+)$/.exec(String(e.alarm.device_id));
      // Trips in the first second are warm-up (connections, first fetches), not steady state.
      if (e.kind === "raised" && e.alarm.rule_id === "breaker_tripped" && trip && Number(trip[1]) >= WARMUP_TRIPS)
        latencies.push(now - Date.parse(e.at));
    }
  },
});
const tripped = (i: number): OutgoingRecord => {
  const base = decodeEnrichedEvent(
    input.find((r) => r.key?.startsWith("breaker"))!.value,
    input.find((r) => r.key?.startsWith("breaker"))!.headers,
  );
  const e = structuredClone(base) as any;
  e.device_id = `trip-${run}-${i}`;
  e.measurements.status.breaker = 0;
  const { value, headers } = encodeEnrichedEvent(e, format);
  return {
    key: e.device_id,
    value,
    headers: { ...headers, [MESSAGE_ID_HEADER]: `bench.trip/0/${i}`, [SOURCE_TIME_HEADER]: String(Date.now()) },
  };
};
const rate = Number(flags.rate);
const seconds = Number(flags.seconds);
const TICK_MS = 10;
const WARMUP_TRIPS = 10; // the first second
let sent = 0;
let trips = 0;
const started = performance.now();
for (let next = 0; performance.now() - started < seconds * 1000; ) {
  const due = Math.floor(((performance.now() - started) / 1000) * rate);
  const chunk: OutgoingRecord[] = [];
  while (sent < due) {
    const r = input[sent % input.length]!;
    chunk.push({
      ...r,
      headers: { ...r.headers, [MESSAGE_ID_HEADER]: `bench.bg/0/${sent}`, [SOURCE_TIME_HEADER]: String(Date.now()) },
    });
    sent++;
  }
  if (performance.now() - started >= next) {
    chunk.push(tripped(trips++));
    next += 100;
  }
  if (chunk.length > 0) await bus.publish(topics.enriched, chunk);
  await Bun.sleep(TICK_MS);
}
const deadline = Date.now() + 15_000;
while (latencies.length < trips - WARMUP_TRIPS && Date.now() < deadline) await Bun.sleep(50);
const achieved = sent / seconds;
await sub.stop();
await service.stop();
await serviceBus.stop();
await bus.stop();
await admin.deleteTopics(Object.values(topics));
await admin.disconnect();
await broker.stop();

const sorted = sortedCopy(latencies);
const latency = {
  offered_msgs_per_s: rate,
  achieved_msgs_per_s: Math.round(achieved),
  trips_measured: trips - WARMUP_TRIPS,
  raised: latencies.length,
  p50_ms: round(percentile(sorted, 50)),
  p99_ms: round(percentile(sorted, 99)),
  max_ms: round(percentile(sorted, 100)),
};
printTable("Alarms — raise latency on the broker (triggering record's broker time → raised event consumed)", [latency]);
const goals = [
  {
    goal: "≥ 50,000 msg/s evaluated (20 rules per type)",
    measured: `${Math.round(full.rate)} msg/s full handler, ${Math.round(evalRate)} msg/s evaluate`,
    met: full.rate >= 50_000,
  },
  {
    goal: "raise latency p99 ≤ 1 s",
    measured: `${latency.p99_ms} ms (${latencies.length}/${trips - WARMUP_TRIPS} raised)`,
    met: latency.p99_ms <= 1_000 && latencies.length === trips - WARMUP_TRIPS,
  },
];
printTable("Alarms — goals", goals);
await writeResult("alarms", broker.version, {
  records: incoming.length,
  rules_per_type: RULES,
  format,
  throughput,
  latency,
  goals,
});
process.exit(0);
