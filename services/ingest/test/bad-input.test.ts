/**
 * Every bad input the issue lists, over MQTT 3.1.1 and 5, each refused and counted by reason, while 100 well-behaved
 * devices keep publishing QoS 1: at the end iot.raw holds exactly what they got PUBACKs for.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { DeviceStatus } from "@gen/iot/registry/v1/devices_pb";
import type { EventBus } from "@iot/common/bus";
import { eventually } from "@iot/common/testing";
import type { MqttClient } from "mqtt";
import type { Ingest } from "../src/ingest";
import { collect, device, rawCount, startIngest, telemetryJson, testBus, testTopics } from "./fixtures";
import { createFakeDeviceWatch, credential } from "./support/fake-device-watch";
import { connectPacket, parsePackets, publishPacket, rawConnection } from "./support/raw-mqtt";

const GOOD = 100;
const IDLE = 1_000;
const good = Array.from({ length: GOOD }, (_, i) => `good-${String(i).padStart(3, "0")}`);
const t = testTopics();
const registry = createFakeDeviceWatch([
  ...good.map((id) => credential(id, `tok-${id}`)),
  credential("bad-1", "tb1"),
  credential("looper", "tl"),
  credential("looper5", "tl5"),
  credential("off-1", "to", DeviceStatus.DISABLED),
]);
let bus: EventBus;
let ingest: Ingest;

beforeAll(async () => {
  bus = await testBus(t);
  ingest = await startIngest(bus, t, registry, {
    INGEST_MAX_PAYLOAD_BYTES: "4096",
    INGEST_CONNECT_TIMEOUT: "0.5",
    INGEST_CONNECTS_PER_MINUTE: "10",
  });
  await eventually("credentials", () => (ingest.credentials.current ? true : undefined));
});
afterAll(async () => {
  await ingest?.stop();
  await bus?.stop();
});

const closed = (c: MqttClient) =>
  new Promise<void>((resolve) => (c.connected ? c.once("close", () => resolve()) : resolve()));
const refusedCode = (id: string, token: string, protocolVersion: 4 | 5 = 4) =>
  device(ingest.mqttPort(), id, token, { protocolVersion }).then(
    (c) => (c.end(), 0),
    (e: { code?: number }) => e.code,
  );

test("bad input is refused and counted while 100 devices keep publishing with nothing lost", async () => {
  const port = ingest.mqttPort();
  const acked = new Set<string>();
  let badDone = false;
  const clients = await Promise.all(good.map((id) => device(port, id, `tok-${id}`)));
  const publishing = Promise.all(
    clients.map(async (c, i) => {
      const id = good[i]!;
      for (let seq = 0; !badDone || seq < 10; seq++) {
        await c.publishAsync(`devices/${id}/telemetry`, telemetryJson(id, seq), { qos: 1 });
        acked.add(`${id}/${seq}`);
        await Bun.sleep(20); // a device's pace, not a wait for an event: ~5k msg/s from the fleet
      }
    }),
  );

  // Credentials: wrong, missing, unknown, disabled.
  expect(await refusedCode("good-000", "wrong")).toBe(5);
  expect(await refusedCode("good-000", "")).toBe(5);
  expect(await refusedCode("nobody", "x")).toBe(5);
  expect(await refusedCode("off-1", "to")).toBe(5);

  // The same over MQTT 5, with its finer reason codes: bad user name or password, not authorized.
  expect(await refusedCode("good-000", "wrong", 5)).toBe(0x86);
  expect(await refusedCode("off-1", "to", 5)).toBe(0x87);

  // Publishes a device may not make: each closes its MQTT 3.1.1 connection.
  for (const [topic, payload] of [
    ["devices/good-001/telemetry", telemetryJson("good-001", 1)], // another device's topic
    ["$SYS/broker/anything", "{}"], // a system topic
    ["devices/bad-1/status", "{}"], // not a device topic
    ["devices/bad-1/telemetry", telemetryJson("good-005", 1)], // another device's id in the payload
    ["devices/bad-1/telemetry", "x".repeat(5_000)], // over the payload limit
  ] as const) {
    const c = await device(port, "bad-1", "tb1");
    c.publish(topic, payload, { qos: 1 });
    await closed(c);
  }

  // Over MQTT 5 the same publishes are refused one by one with PUBACK 0x87; the connection stays.
  const v5 = await device(port, "bad-1", "tb1", { protocolVersion: 5 });
  for (const [topic, payload] of [
    ["devices/good-001/telemetry", telemetryJson("good-001", 1)],
    ["$SYS/broker/anything", "{}"],
    ["devices/bad-1/telemetry", telemetryJson("good-005", 1)],
    ["devices/bad-1/telemetry", "x".repeat(4_200)], // over the payload limit, within the packet limit
  ] as const) {
    const code = await v5.publishAsync(topic, payload, { qos: 1 }).then(
      () => 0,
      (e: { code?: number }) => e.code,
    );
    expect(code).toBe(0x87);
  }
  expect(v5.connected).toBe(true);
  await v5.endAsync();

  // A wildcard in a PUBLISH topic (MQTT.js will not send one; the raw packet can).
  const wild = await rawConnection(port);
  wild.send(connectPacket("bad-1", "tb1"));
  wild.send(publishPacket("devices/+/telemetry", "{}"));
  await wild.closed;

  // A packet announcing 10 MB is refused from its header, before its body is read.
  const huge = await rawConnection(port);
  huge.send(connectPacket("bad-1", "tb1"));
  huge.send(Buffer.from([0x32, 0x80, 0x80, 0x80, 0x05, 0x00, 0x01]));
  await huge.closed;

  // Over MQTT 5 the same packet gets DISCONNECT 0x95 "packet too large" before the close.
  const huge5 = await rawConnection(port);
  huge5.send(connectPacket("bad-1", "tb1", 5));
  await eventually("the CONNACK", () => (huge5.received().length > 0 ? true : undefined));
  huge5.send(Buffer.from([0x32, 0x80, 0x80, 0x80, 0x05, 0x00, 0x01]));
  await huge5.closed;
  expect(parsePackets(huge5.received(), 5).map((p) => [p.cmd, (p as { reasonCode?: number }).reasonCode])).toEqual([
    ["connack", 0],
    ["disconnect", 0x95],
  ]);

  // Malformed: a CONNECT with reserved flag bits set.
  const garbage = await rawConnection(port);
  garbage.send(Buffer.from([0x12, 0x00, 0xff, 0xff]));
  await garbage.closed;

  // Subscribing: answered with the failure return code, the connection stays.
  const sub = await device(port, "bad-1", "tb1");
  const suback = await sub.subscribeAsync("#", { qos: 1 }).then(
    () => undefined,
    (e: { packet?: { granted?: number[] } }) => e.packet?.granted,
  );
  expect(suback).toEqual([128]);
  await sub.endAsync();

  // A reconnect loop: after 10 connects in a minute, "server unavailable".
  const codes: Array<number | undefined> = [];
  for (let i = 0; i < 14; i++) codes.push(await refusedCode("looper", "tl"));
  expect(codes.slice(0, 10)).toEqual(Array(10).fill(0));
  expect(codes.slice(10)).toEqual(Array(4).fill(3));
  // MQTT 5: "server unavailable" is 0x88 (aedes lets a hook send no 0x9F "connection rate exceeded").
  const codes5: Array<number | undefined> = [];
  for (let i = 0; i < 11; i++) codes5.push(await refusedCode("looper5", "tl5", 5));
  expect(codes5).toEqual([...Array(10).fill(0), 0x88]);

  // 1,000 connections that never send CONNECT: all closed after the connect timeout.
  const idle = await Promise.all(Array.from({ length: IDLE }, () => rawConnection(port)));
  await Promise.all(idle.map((c) => c.closed));
  expect(idle.every((c) => c.received().length === 0)).toBe(true);

  badDone = true;
  await publishing;
  await Promise.all(clients.map((c) => c.endAsync()));

  // Nothing lost, nothing extra: iot.raw holds exactly the acknowledged messages.
  expect(acked.size).toBeGreaterThanOrEqual(GOOD * 10);
  expect(await rawCount(bus, t.raw)).toBe(acked.size);
  const raw = await collect(bus, t.raw);
  const seen = await eventually(
    "every acked record",
    () => (raw.records.length >= acked.size ? raw.records : undefined),
    30_000,
  );
  await raw.stop();
  const keys = new Set(
    seen.map((r) => `${r.key}/${JSON.parse(new TextDecoder().decode(r.value)).measurements.seq.value}`),
  );
  expect([...acked].filter((k) => !keys.has(k))).toEqual([]);

  const refused = ingest.metrics.snapshot().refused.mqtt!;
  expect(refused).toMatchObject({
    bad_credentials: 4,
    disabled: 2,
    foreign_topic: 3,
    system_topic: 3,
    device_mismatch: 2,
    oversize: 4,
    malformed_packet: 1,
    subscribe: 1,
    reconnect_rate: 5,
  });
  expect(refused.connect_timeout).toBeGreaterThanOrEqual(IDLE);
}, 120_000);
