/** Shared set-up for ingest's integration tests: topics, a bus, a gateway in this process, MQTT clients. */
import type { EventBus, IncomingRecord, Subscription } from "@iot/common/bus";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { createMetrics } from "@iot/common/metrics";
import { kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import { loadConfig } from "../src/config";
import { createCredentials } from "../src/credentials";
import { createIngest, type Ingest } from "../src/ingest";
import { createFakeDeviceWatch } from "./support/fake-device-watch";

export const root = new URL("../../../", import.meta.url).pathname;

export function testTopics() {
  const id = uniqueName("ing");
  return { raw: `${id}.raw`, enriched: `${id}.enriched`, dlq: `${id}.dlq` };
}

export async function testBus(t: ReturnType<typeof testTopics>): Promise<EventBus> {
  const bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: "ingest-test",
    topics: [t.raw, t.enriched, t.dlq].map((name) => ({ name, partitions: 3 })),
    log: quietLogger(),
  });
  await bus.start();
  return bus;
}

export const ingestEnv = (
  t: ReturnType<typeof testTopics>,
  extra: Record<string, string> = {},
): Record<string, string> => ({
  KAFKA_BROKERS: kafkaBrokers().join(","),
  KAFKA_PARTITIONS: "3",
  TOPIC_RAW: t.raw,
  TOPIC_ENRICHED: t.enriched,
  TOPIC_DLQ: t.dlq,
  INGEST_HTTP_PORT: "0",
  INGEST_MQTT_PORT: "0",
  LOG_LEVEL: "warn",
  ...extra,
});

/** A gateway in this process on `bus`, its credentials fed by a fake WatchDevices stream. */
export async function startIngest(
  bus: EventBus,
  t: ReturnType<typeof testTopics>,
  registry: ReturnType<typeof createFakeDeviceWatch>,
  extra: Record<string, string> = {},
) {
  const config = loadConfig(ingestEnv(t, extra));
  const log = quietLogger();
  const credentials = createCredentials({ transport: registry.transport, log });
  const ingest: Ingest = createIngest(config, { bus, log, metrics: createMetrics(), credentials });
  await ingest.start();
  return ingest;
}

/** An MQTT.js device connected to the gateway (rejects when the CONNACK refuses). */
export async function device(
  port: number,
  deviceId: string,
  token: string,
  o: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
    username: deviceId,
    password: token,
    reconnectPeriod: 0,
    protocolVersion: 4,
    connectTimeout: 5_000,
    ...o,
  });
}

/** Everything a topic receives, from the beginning, in a group of its own. */
export async function collect(bus: EventBus, topic: string) {
  const records: IncomingRecord[] = [];
  const sub: Subscription = await bus.subscribe({
    groupId: uniqueName("collector"),
    topics: [topic],
    fromBeginning: true,
    handler: async (b) => void records.push(...b.records),
  });
  return { records, stop: () => sub.stop() };
}

export const rawCount = async (bus: EventBus, topic: string) => (await bus.stats([topic], [])).topics[0]?.records ?? 0;

export const telemetryJson = (deviceId: string, seq: number) =>
  JSON.stringify({
    device_id: deviceId,
    device_type: "smart_meter",
    timestamp: "2026-11-30T00:00:00.000000Z",
    event_type: "telemetry",
    measurements: { seq: { value: seq, unit: "n" } },
  });
