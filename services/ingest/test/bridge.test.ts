/**
 * Bridge mode against the Mosquitto these machines run on 127.0.0.1:1883: two gateways share
 * `$share/<group>/devices/+/…`; MQTT 5 and 3.1.1 devices publish to Mosquitto, every message
 * reaches iot.raw once, labelled `mqtt-bridge`, and both replicas carried part of the load.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { eventually, uniqueName } from "@iot/common/testing";
import mqtt from "mqtt";
import type { Ingest } from "../src/ingest";
import { collect, startIngest, telemetryJson, testBus, testTopics } from "./fixtures";
import { createFakeDeviceWatch } from "./support/fake-device-watch";

const MOSQUITTO = process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";
const PER_DEVICE = 50;
const t = testTopics();
const prefix = uniqueName("br");
const ids = [`${prefix}-v5`, `${prefix}-v311`];
let bus: EventBus;
const replicas: Ingest[] = [];

beforeAll(async () => {
  bus = await testBus(t);
  const group = uniqueName("ingest-bridge");
  for (let i = 0; i < 2; i++)
    replicas.push(
      await startIngest(bus, t, createFakeDeviceWatch(), {
        INGEST_MQTT_BRIDGE_URL: MOSQUITTO,
        INGEST_MQTT_BRIDGE_GROUP: group,
      }),
    );
  await eventually("both bridges subscribed", async () =>
    (await Promise.all(replicas.map((r) => r.checks()))).every((c) => c.bridge) ? true : undefined,
  );
});
afterAll(async () => {
  for (const r of replicas) await r.stop();
  await bus?.stop();
});

test("messages published to an existing broker reach iot.raw once each, spread over the replicas", async () => {
  const raw = await collect(bus, t.raw);
  for (const [id, protocolVersion] of [
    [ids[0]!, 5],
    [ids[1]!, 4],
  ] as const) {
    const c = await mqtt.connectAsync(MOSQUITTO, { protocolVersion, reconnectPeriod: 0 });
    for (let seq = 0; seq < PER_DEVICE; seq++)
      await c.publishAsync(`devices/${id}/telemetry`, telemetryJson(id, seq), { qos: 1 });
    await c.endAsync();
  }
  const mine = await eventually("every bridged message", () => {
    const got = raw.records.filter((r) => ids.includes(r.key ?? ""));
    return got.length >= 2 * PER_DEVICE ? got : undefined;
  });
  await raw.stop();
  expect(mine.length).toBe(2 * PER_DEVICE);
  expect(new Set(mine.map((r) => `${r.key}/${new TextDecoder().decode(r.value)}`)).size).toBe(2 * PER_DEVICE);
  expect(mine.every((r) => r.headers.transport === "mqtt-bridge" && r.headers["device-id"] === r.key)).toBe(true);
  const carried = replicas.map((r) => r.metrics.snapshot().messages["mqtt-bridge"] ?? 0);
  expect(carried.every((n) => n > 0)).toBe(true);
});
