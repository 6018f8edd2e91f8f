/** Shared set-up for the alarms service's tests: registries with test rules, readings, databases, topics. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import type { EventBus, IncomingRecord, OutgoingRecord, Subscription } from "@iot/common/bus";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { encodeEnrichedEvent, timestampNow } from "@iot/common/codec";
import type { EnrichedEvent, MeasurementGroup } from "@iot/common/telemetry";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";

const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
import { createAlarms } from "../src/alarms";
import { loadConfig } from "../src/config";

export const root = new URL("../../../", import.meta.url).pathname;
export const shippedRegistry = async () => JSON.parse(await Bun.file(`${root}config/device-registry.json`).text());

/** The shipped registry with the breaker's rules replaced, written to a temp file. */
export async function registryFile(breakerRules: unknown[]): Promise<string> {
  const doc = await shippedRegistry();
  doc.device_types.smart_breaker.alarm_rules = breakerRules;
  const path = join(mkdtempSync(join(tmpdir(), "alarms-reg-")), "device-registry.json");
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

export const OVERTEMP = {
  id: "overtemperature",
  name: "Overtemperature",
  metric: "temperature.value",
  condition: { op: ">", value: 70 },
  for_seconds: 30,
  severity: "major",
  clear: { op: "<", value: 65 },
  escalate: [{ condition: { op: ">", value: 78 }, severity: "critical" }],
  message: "{device_id}: {value} °C {threshold}",
};

export function enriched(
  deviceId: string,
  measurements: Record<string, MeasurementGroup>,
  deviceType = "smart_breaker",
): EnrichedEvent {
  return {
    device_id: deviceId,
    device_type: deviceType,
    timestamp: timestampNow(),
    event_type: "telemetry",
    measurements,
    device_metadata: {
      device_type: deviceType,
      device_type_name: deviceType,
      device_type_description: "",
      device_category: "",
      capabilities: [],
      data_format: "json",
      update_frequency: "",
      retention_policy: "",
    },
    application_registry: { device_type: deviceType, registered_applications_count: 0, applications: [] },
    enrichment_info: {
      enriched_at: timestampNow(),
      enrichment_service: "test",
      enrichment_version: "0",
      device_type_detected: deviceType,
      app_registry_integration: true,
    },
    data_quality: { out_of_range: [], missing_groups: [] },
  };
}

/** An enriched record as enrichment writes it: the raw record's identity and broker time in headers. */
export function enrichedRecord(
  e: EnrichedEvent,
  rawOffset: number,
  at: number,
  format: "json" | "protobuf" = "json",
): OutgoingRecord {
  const { value, headers } = encodeEnrichedEvent(e, format);
  return {
    key: e.device_id,
    value,
    headers: { ...headers, "message-id": `test.raw/0/${rawOffset}`, "source-timestamp": String(at) },
  };
}

export function testTopics() {
  const id = uniqueName("alm");
  return {
    raw: `${id}.raw`,
    enriched: `${id}.enriched`,
    dlq: `${id}.dlq`,
    alarms: `${id}.alarms`,
    group: `${id}-group`,
  };
}
export type TestTopics = ReturnType<typeof testTopics>;

export function alarmsEnv(
  t: TestTopics,
  db: Db,
  registryPath: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(","),
    KAFKA_PARTITIONS: "2",
    TOPIC_RAW: t.raw,
    TOPIC_ENRICHED: t.enriched,
    TOPIC_DLQ: t.dlq,
    TOPIC_ALARMS: t.alarms,
    ALARMS_GROUP: t.group,
    ALARMS_PORT: "0",
    DEVICE_REGISTRY_PATH: registryPath,
    LOG_LEVEL: "warn",
    ...(db.url ? { DATABASE_URL: db.url } : { ALARMS_DB_PATH: db.sqlitePath }),
    ...extra,
  };
}

export async function testBus(t: TestTopics): Promise<EventBus> {
  const bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: "alarms-test",
    topics: [t.raw, t.enriched, t.dlq, t.alarms].map((name) => ({ name, partitions: 2 })),
    log: quietLogger(),
  });
  await bus.start();
  return bus;
}

/** Every record on a topic, as it arrives. */
export async function collect(
  bus: EventBus,
  topic: string,
): Promise<{ records: IncomingRecord[]; json: () => Array<Record<string, any>>; sub: Subscription }> {
  const records: IncomingRecord[] = [];
  const sub = await bus.subscribe({
    groupId: uniqueName("collect"),
    topics: [topic],
    fromBeginning: true,
    handler: async (b) => void records.push(...b.records),
  });
  return { records, json: () => records.map((r) => JSON.parse(new TextDecoder().decode(r.value))), sub };
}

export interface Db {
  kind: "sqlite" | "postgresql";
  url?: string;
  sqlitePath: string;
  drop(): Promise<void>;
}

/** A fresh SQLite file, or a fresh PostgreSQL database of its own (dropped afterwards). */
export async function testDb(kind: Db["kind"]): Promise<Db> {
  const sqlitePath = join(mkdtempSync(join(tmpdir(), "alarms-db-")), "alarms.db");
  if (kind === "sqlite") return { kind, sqlitePath, drop: async () => undefined };
  const name = uniqueName("alarms").replace(/-/g, "_");
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    sqlitePath,
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** The service in this process on the real broker, its clock set by the test (ticks only when the test calls them). */
export async function startService(
  db: Db,
  rules: unknown[],
  clock: { now: number },
  cleanup: Array<() => Promise<unknown>>,
  extra: Record<string, string> = {},
) {
  const t = testTopics();
  const bus = await testBus(t);
  cleanup.push(() => bus.stop());
  const config = loadConfig(alarmsEnv(t, db, await registryFile(rules), { ALARMS_TICK_MS: "60000", ...extra }));
  const metrics = createMetrics();
  const service = await createAlarms(config, { bus, log: quietLogger(), metrics, now: () => clock.now });
  await service.start();
  cleanup.push(() => service.stop());
  const out = await collect(bus, t.alarms);
  cleanup.push(() => out.sub.stop());
  const consumed = async () => parseMetrics(await metrics.render()).get("alarms_consumed_total") ?? 0;
  return { t, bus, service, out, consumed, url: service.urls().Alarms!, registryPath: config.deviceRegistryPath };
}
