/** The simulator against the real broker (KAFKA_BROKERS): in-process in both encodings, and as its own process. */
import { afterAll, describe, expect, test } from "bun:test";
import type { EventBus, IncomingRecord } from "@iot/common/bus";
import { createKafkaBusFromConfig } from "@iot/common/bus-config";
import { decodeDeviceEvent, type PayloadFormat } from "@iot/common/codec";
import { createMetrics } from "@iot/common/metrics";
import { eventually, kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";
import { spawnService } from "@iot/common/testing-process";
import { loadConfig } from "../src/config";
import { createSimulator } from "../src/simulator";
import { loadRegistry, registryPath } from "./support";

const TIMEOUT = 30_000;
const registry = await loadRegistry();
const log = quietLogger();
const buses: EventBus[] = [];
afterAll(async () => {
  for (const b of buses) await b.stop();
});

/** A bus on the test broker whose raw topic is new, so a test reads only what it wrote. */
function kafkaConfig(env: Record<string, string> = {}) {
  return loadConfig({
    KAFKA_BROKERS: kafkaBrokers().join(","),
    SIMULATOR_PORT: "0",
    TOPIC_RAW: uniqueName("sim-raw"),
    ...env,
  });
}

async function readTopic(
  bus: EventBus,
  topic: string,
  until: (records: IncomingRecord[]) => boolean,
): Promise<IncomingRecord[]> {
  const records: IncomingRecord[] = [];
  await bus.subscribe({
    groupId: uniqueName("sim-reader"),
    topics: [topic],
    fromBeginning: true,
    handler: async (b) => void records.push(...b.records),
  });
  return eventually("the simulator's records", () => (until(records) ? records : undefined), TIMEOUT);
}

describe.each(["json", "protobuf"] as PayloadFormat[])("on Kafka, %s", (format) => {
  test(
    "telemetry and trends land on the raw topic keyed by device_id, with content-type and message-type",
    async () => {
      const config = kafkaConfig({
        PAYLOAD_FORMAT: format,
        PUBLISH_INTERVAL: "0.1",
        TRENDS_INTERVAL: "1",
        SIM_COUNT: "100",
        SIM_SEED: format,
      });
      const bus = createKafkaBusFromConfig(config.bus, uniqueName("sim-test"), log);
      buses.push(bus);
      await bus.start(); // the owner starts the bus; the simulator only publishes
      const simulator = createSimulator(config, { bus, log, metrics: createMetrics(), registry });
      await simulator.start();
      await simulator.finished;
      await simulator.stop();

      const devices = ["breaker-001", "breaker-002", "breaker-003", "meter-001", "environmental-sensor-001"];
      const decoded = (rs: IncomingRecord[]) => rs.map((r) => ({ r, e: decodeDeviceEvent(r.value, r.headers) }));
      const events = decoded(
        await readTopic(bus, config.bus.topics.raw, (rs) => {
          const seen = decoded(rs);
          return (
            seen.filter((x) => x.e.event_type === "telemetry").length >= 100 &&
            devices.every((d) => seen.some((x) => x.e.device_id === d && x.e.event_type === "trends"))
          );
        }),
      );

      const expectedHeaders: Record<string, string> =
        format === "json"
          ? { "content-type": "application/json" }
          : { "content-type": "application/x-protobuf", "message-type": "iot.telemetry.v1.DeviceEvent" };
      for (const { r, e } of events) {
        expect(r.key).toBe(e.device_id);
        expect(r.headers).toEqual(expectedHeaders);
        expect(devices).toContain(e.device_id);
        if (e.event_type === "trends") expect(e.trends.length).toBeGreaterThan(0);
      }
      const telemetry = events.filter((x) => x.e.event_type === "telemetry");
      expect(new Set(telemetry.map((x) => `${x.e.device_id}@${x.e.timestamp}`)).size).toBe(100);
      // One key, one partition: each device's samples arrive in time order.
      for (const d of devices) {
        const times = telemetry.filter((x) => x.e.device_id === d).map((x) => x.e.timestamp);
        expect(times).toEqual([...times].sort());
      }
    },
    TIMEOUT * 2,
  );
});

test(
  "as its own process, SIGTERM flushes: everything generated is on the broker and it exits 0",
  async () => {
    const config = kafkaConfig();
    const service = spawnService(new URL("../src/main.ts", import.meta.url).pathname, {
      KAFKA_BROKERS: config.bus.brokers.join(","),
      TOPIC_RAW: config.bus.topics.raw,
      PUBLISH_INTERVAL: "0.05",
      SIM_DEVICES: "smart_breaker=20",
      SIMULATOR_PORT: "0",
      DEVICE_REGISTRY_PATH: registryPath,
    });
    const bus = createKafkaBusFromConfig(config.bus, uniqueName("sim-test"), log);
    buses.push(bus);
    await bus.start(); // creates the topic, so the reader can join before the simulator does
    await readTopic(bus, config.bus.topics.raw, (rs) => rs.length >= 200); // running and publishing
    expect(await service.stop("SIGTERM")).toBe(0);
    const stopped = JSON.parse(
      await eventually("the stop summary", () => service.lines.find((l) => l.includes('"simulator stopped"'))),
    );
    expect(stopped.dropped_shutdown).toBe(0);
    expect(stopped.published).toBe(stopped.generated);
    const { topics } = await bus.stats([config.bus.topics.raw], []);
    expect(topics[0]!.records).toBe(stopped.generated);
  },
  TIMEOUT * 2,
);
