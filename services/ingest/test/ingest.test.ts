/** The gateway against the real broker: MQTT.js, mosquitto_pub and fetch devices, acks only after iot.raw has the record. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { DeviceStatus } from "@gen/iot/registry/v1/devices_pb";
import type { EventBus } from "@iot/common/bus";
import { eventually } from "@iot/common/testing";
import mqtt from "mqtt";
import type { Ingest } from "../src/ingest";
import { collect, device, rawCount, startIngest, telemetryJson, testBus, testTopics } from "./fixtures";
import { createFakeDeviceWatch, credential } from "./support/fake-device-watch";

const t = testTopics();
const registry = createFakeDeviceWatch([
  credential("meter-1", "t1"),
  credential("meter-2", "t2"),
  credential("off-1", "t3", DeviceStatus.DISABLED),
]);
let bus: EventBus;
let ingest: Ingest;
let raw: Awaited<ReturnType<typeof collect>>;

beforeAll(async () => {
  bus = await testBus(t);
  ingest = await startIngest(bus, t, registry, { INGEST_MQTT_WS_PORT: "0" });
  await eventually("credentials", () => (ingest.credentials.current ? true : undefined));
  raw = await collect(bus, t.raw);
});
afterAll(async () => {
  await raw?.stop();
  await ingest?.stop();
  await bus?.stop();
});

const seqOf = (value: Uint8Array): number => JSON.parse(new TextDecoder().decode(value)).measurements.seq.value;
const post = (deviceId: string, body: string, headers: Record<string, string>) =>
  fetch(`${ingest.httpUrl()}/api/v1/devices/${deviceId}/telemetry`, { method: "POST", body, headers });

describe("ingest gateway on Kafka", () => {
  test("MQTT 3.1.1 QoS 1: the PUBACK comes only once iot.raw holds the record, keyed and labelled with the device", async () => {
    const c = await device(ingest.mqttPort(), "meter-1", "t1");
    const before = await rawCount(bus, t.raw);
    for (let i = 0; i < 20; i++) {
      await c.publishAsync("devices/meter-1/telemetry", telemetryJson("meter-1", i), { qos: 1 });
      // The broker's high-water mark already counts it when the ack arrives.
      expect(await rawCount(bus, t.raw)).toBe(before + i + 1);
    }
    await c.endAsync();
    const mine = await eventually("20 records", () => {
      const got = raw.records.filter((r) => r.key === "meter-1");
      return got.length >= 20 ? got : undefined;
    });
    expect(mine.map((r) => seqOf(r.value))).toEqual([...Array(20).keys()]);
    expect(mine[0]!.headers).toMatchObject({
      "content-type": "application/json",
      "device-id": "meter-1",
      transport: "mqtt",
    });
  });

  test("MQTT QoS 0 and QoS 2 arrive too (QoS 2's PUBREC also waits for the broker)", async () => {
    const c = await device(ingest.mqttPort(), "meter-2", "t2");
    await c.publishAsync("devices/meter-2/trends", telemetryJson("meter-2", 100), { qos: 0 });
    await c.publishAsync("devices/meter-2/telemetry", telemetryJson("meter-2", 200), { qos: 2 });
    await eventually("both", () => (raw.records.filter((r) => r.key === "meter-2").length >= 2 ? true : undefined));
    await c.endAsync();
  });

  test("MQTT over WebSocket: the same authentication, the same ack after the broker", async () => {
    const before = await rawCount(bus, t.raw);
    const c = await mqtt.connectAsync(`ws://127.0.0.1:${ingest.mqttWsPort()}`, {
      username: "meter-2",
      password: "t2",
      reconnectPeriod: 0,
    });
    await c.publishAsync("devices/meter-2/telemetry", telemetryJson("meter-2", 300), { qos: 1 });
    expect(await rawCount(bus, t.raw)).toBe(before + 1);
    await c.endAsync();
    const refused = await mqtt
      .connectAsync(`ws://127.0.0.1:${ingest.mqttWsPort()}`, {
        username: "meter-2",
        password: "nope",
        reconnectPeriod: 0,
      })
      .then(
        (x) => (x.end(), undefined),
        (e: { code?: number }) => e.code,
      );
    expect(refused).toBe(5);
  });

  test("mosquitto_pub publishes with QoS 1", async () => {
    const proc = Bun.spawn(
      [
        "mosquitto_pub",
        "-h",
        "127.0.0.1",
        "-p",
        String(ingest.mqttPort()),
        "-V",
        "mqttv311",
        "-u",
        "meter-1",
        "-P",
        "t1",
        "-q",
        "1",
        "-t",
        "devices/meter-1/telemetry",
        "-m",
        telemetryJson("meter-1", 999),
      ],
      { stderr: "pipe" },
    );
    expect(await proc.exited).toBe(0);
    await eventually("mosquitto_pub's record", () =>
      raw.records.find((r) => new TextDecoder().decode(r.value).includes('"value":999')),
    );
  });

  test("wrong credentials, an unknown device and a disabled one get CONNACK 'not authorized'", async () => {
    for (const [id, token] of [
      ["meter-1", "nope"],
      ["ghost", "t1"],
      ["off-1", "t3"],
      ["meter-1", ""],
    ] as const) {
      const err = await device(ingest.mqttPort(), id, token).then(
        (c) => (c.end(), undefined),
        (e: Error & { code?: number }) => e,
      );
      expect(err?.code).toBe(5);
    }
  });

  test("MQTT 5 QoS 1: the PUBACK comes only once iot.raw holds the record; QoS 0 and 2 arrive too", async () => {
    const c = await device(ingest.mqttPort(), "meter-1", "t1", { protocolVersion: 5 });
    const before = await rawCount(bus, t.raw);
    for (let i = 0; i < 10; i++) {
      await c.publishAsync("devices/meter-1/telemetry", telemetryJson("meter-1", 500 + i), { qos: 1 });
      expect(await rawCount(bus, t.raw)).toBe(before + i + 1);
    }
    await c.publishAsync("devices/meter-1/trends", telemetryJson("meter-1", 510), { qos: 0 });
    await c.publishAsync("devices/meter-1/telemetry", telemetryJson("meter-1", 511), { qos: 2 });
    await c.endAsync();
    const mine = await eventually("12 MQTT 5 records", () => {
      const got = raw.records.filter((r) => r.key === "meter-1" && seqOf(r.value) >= 500 && seqOf(r.value) < 600);
      return got.length >= 12 ? got : undefined;
    });
    expect(mine.map((r) => seqOf(r.value))).toEqual(Array.from({ length: 12 }, (_, i) => 500 + i));
    expect(mine[0]!.headers).toMatchObject({ "device-id": "meter-1", transport: "mqtt" });
  });

  test("mosquitto_pub -V mqttv5 publishes with QoS 0 and 1", async () => {
    for (const qos of ["0", "1"]) {
      const seq = 600 + Number(qos);
      const proc = Bun.spawn(
        [
          "mosquitto_pub",
          ...["-h", "127.0.0.1", "-p", String(ingest.mqttPort()), "-V", "mqttv5", "-u", "meter-2", "-P", "t2"],
          ...["-q", qos, "-t", "devices/meter-2/telemetry", "-m", telemetryJson("meter-2", seq)],
        ],
        { stderr: "pipe" },
      );
      expect(await proc.exited).toBe(0);
      await eventually(`mosquitto_pub's QoS ${qos} record`, () =>
        raw.records.find((r) => r.key === "meter-2" && seqOf(r.value) === seq),
      );
    }
  });

  test("MQTT 5 refusals: CONNACK 0x86 for wrong credentials, 0x87 for a disabled device; a foreign topic gets PUBACK/PUBREC 0x87 (QoS 0: dropped) and the connection stays", async () => {
    const connack = (id: string, token: string) =>
      device(ingest.mqttPort(), id, token, { protocolVersion: 5 }).then(
        (c) => (c.end(), 0),
        (e: { code?: number }) => e.code,
      );
    expect(await connack("meter-1", "nope")).toBe(0x86);
    expect(await connack("ghost", "t1")).toBe(0x86);
    expect(await connack("off-1", "t3")).toBe(0x87);

    const refusedBefore = ingest.metrics.snapshot().refused.mqtt?.foreign_topic ?? 0;
    const rawBefore = await rawCount(bus, t.raw);
    const c = await device(ingest.mqttPort(), "meter-1", "t1", { protocolVersion: 5 });
    const refusedWith = (qos: 0 | 1 | 2) =>
      c.publishAsync("devices/meter-2/telemetry", telemetryJson("meter-1", 700), { qos }).then(
        () => 0,
        (e: { code?: number }) => e.code,
      );
    expect(await refusedWith(1)).toBe(0x87); // PUBACK
    expect(await refusedWith(2)).toBe(0x87); // PUBREC
    expect(await refusedWith(0)).toBe(0); // no ack to carry a reason: dropped, and counted
    await c.publishAsync("devices/meter-1/telemetry", telemetryJson("meter-1", 701), { qos: 1 });
    expect(c.connected).toBe(true);
    await c.endAsync();
    expect(await rawCount(bus, t.raw)).toBe(rawBefore + 1);
    expect(ingest.metrics.snapshot().refused.mqtt?.foreign_topic).toBe(refusedBefore + 3);
  });

  test("HTTP: one object, an array and NDJSON are acknowledged with 200 after the broker has them", async () => {
    const before = await rawCount(bus, t.raw);
    const one = await post("meter-2", telemetryJson("meter-2", 1), {
      authorization: "Bearer t2",
      "content-type": "application/json",
    });
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({ accepted: 1 });
    const batch = await post("meter-2", `[${telemetryJson("meter-2", 2)},${telemetryJson("meter-2", 3)}]`, {
      authorization: "Bearer t2",
      "content-type": "application/json",
    });
    expect(await batch.json()).toEqual({ accepted: 2 });
    const nd = await post("meter-2", `${telemetryJson("meter-2", 4)}\n${telemetryJson("meter-2", 5)}\n`, {
      authorization: "Bearer t2",
      "content-type": "application/x-ndjson",
    });
    expect(await nd.json()).toEqual({ accepted: 2 });
    expect(await rawCount(bus, t.raw)).toBe(before + 5);
    const http = await eventually("http records", () => {
      const got = raw.records.filter((r) => r.headers.transport === "http");
      return got.length >= 5 ? got : undefined;
    });
    expect(http.every((r) => r.key === "meter-2" && r.headers["device-id"] === "meter-2")).toBe(true);
  });

  test("HTTP refusals: 401, 403 disabled or another device's id, 415, 400, 413; nothing reaches iot.raw", async () => {
    const before = await rawCount(bus, t.raw);
    const json = { "content-type": "application/json" };
    expect((await post("meter-2", telemetryJson("meter-2", 1), json)).status).toBe(401);
    expect((await post("meter-2", telemetryJson("meter-2", 1), { ...json, authorization: "Bearer t1" })).status).toBe(
      401,
    );
    expect((await post("off-1", telemetryJson("off-1", 1), { ...json, authorization: "Bearer t3" })).status).toBe(403);
    expect((await post("meter-2", telemetryJson("meter-1", 1), { ...json, authorization: "Bearer t2" })).status).toBe(
      403,
    );
    expect((await post("meter-2", "hello", { "content-type": "text/plain", authorization: "Bearer t2" })).status).toBe(
      415,
    );
    expect((await post("meter-2", "{oops", { ...json, authorization: "Bearer t2" })).status).toBe(400);
    expect((await post("meter-2", "x".repeat(2 * 1024 * 1024), { ...json, authorization: "Bearer t2" })).status).toBe(
      413,
    );
    const res = await post("meter-2", "{}", json);
    expect(res.headers.get("www-authenticate")).toContain("Bearer");
    expect(await res.json()).toEqual({ error: "missing or wrong device credentials" });
    expect(await rawCount(bus, t.raw)).toBe(before);
    const refused = (await ingest.metrics.snapshot()).refused.http!;
    expect(refused).toMatchObject({
      bad_credentials: 3,
      disabled: 1,
      device_mismatch: 1,
      unsupported_media_type: 1,
      malformed_body: 1,
      oversize: 1,
    });
  });
});
