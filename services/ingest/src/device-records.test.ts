import { describe, expect, test } from "bun:test";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";
import { bodyRecords } from "./http-body";
import { mqttRecord } from "./device-records";

const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
const text = (b: Uint8Array) => new TextDecoder().decode(b);
const telemetry = {
  device_id: "m-1",
  device_type: "smart_meter",
  timestamp: "2026-11-30T00:00:00.000000Z",
  event_type: "telemetry",
  measurements: {},
};
const proto = (deviceId: string) =>
  toBinary(
    DeviceEventSchema,
    create(DeviceEventSchema, { event: { case: "telemetry", value: { deviceId, deviceType: "smart_meter" } } }),
  );

describe("a device's payload as an iot.raw record", () => {
  test("JSON naming the device passes byte for byte, keyed and labelled with the device and transport", () => {
    const payload = enc(`  ${JSON.stringify(telemetry)}`);
    const r = mqttRecord("m-1", payload, "mqtt");
    expect(r.ok && r.record).toEqual({
      key: "m-1",
      value: payload,
      headers: { "content-type": "application/json", "device-id": "m-1", transport: "mqtt" },
    });
  });

  test("a missing device_id is filled in; another device's id is refused", () => {
    const { device_id: _, ...anonymous } = telemetry;
    const filled = mqttRecord("m-1", enc(anonymous), "mqtt");
    expect(filled.ok && JSON.parse(text(filled.record.value))).toEqual(telemetry);
    const other = mqttRecord("m-1", enc({ ...telemetry, device_id: "m-2" }), "mqtt");
    expect(other).toMatchObject({ ok: false, reason: "device_mismatch" });
  });

  test("protobuf: passed as is, filled in when the id is empty, refused for another device; the message type is named", () => {
    const same = mqttRecord("m-1", proto("m-1"), "mqtt");
    expect(same.ok && same.record.headers).toEqual({
      "content-type": "application/x-protobuf",
      "message-type": "iot.telemetry.v1.DeviceEvent",
      "device-id": "m-1",
      transport: "mqtt",
    });
    const filled = mqttRecord("m-1", proto(""), "mqtt");
    expect(filled.ok && fromBinary(DeviceEventSchema, filled.record.value).event.value?.deviceId).toBe("m-1");
    expect(mqttRecord("m-1", proto("m-2"), "mqtt")).toMatchObject({ ok: false, reason: "device_mismatch" });
  });

  test("what cannot be read passes through unchanged, for enrichment to dead-letter with its reason", () => {
    const garbage = enc("{not json");
    const r = mqttRecord("m-1", garbage, "mqtt");
    expect(r.ok && r.record.value).toBe(garbage);
  });
});

describe("an HTTP body", () => {
  test("one object, an array, or NDJSON: one record each", () => {
    const one = bodyRecords("m-1", "application/json", enc(telemetry), 1024);
    expect(one.ok && one.results.length).toBe(1);
    const array = bodyRecords(
      "m-1",
      "application/json; charset=utf-8",
      enc([telemetry, telemetry, { ...telemetry, device_id: undefined }]),
      1024,
    );
    expect(array.ok && array.results.map((r) => r.ok && JSON.parse(text(r.record.value)).device_id)).toEqual([
      "m-1",
      "m-1",
      "m-1",
    ]);
    const ndjson = bodyRecords(
      "m-1",
      "application/x-ndjson",
      enc(`${JSON.stringify(telemetry)}\n\n${JSON.stringify(telemetry)}\n`),
      1024,
    );
    expect(ndjson.ok && ndjson.results.length).toBe(2);
    const pb = bodyRecords("m-1", "application/x-protobuf", proto("m-1"), 1024);
    expect(pb.ok && pb.results.length).toBe(1);
  });

  test("refusals: 415 unknown type, 400 not parseable or not objects or empty, 413 a record over the limit", () => {
    expect(bodyRecords("m-1", "text/plain", enc("hi"), 1024)).toMatchObject({ ok: false, status: 415 });
    expect(bodyRecords("m-1", null, enc(telemetry), 1024)).toMatchObject({ ok: false, status: 415 });
    expect(bodyRecords("m-1", "application/json", enc("{nope"), 1024)).toMatchObject({ ok: false, status: 400 });
    expect(bodyRecords("m-1", "application/json", enc("[1,2]"), 1024)).toMatchObject({ ok: false, status: 400 });
    expect(bodyRecords("m-1", "application/json", enc("[]"), 1024)).toMatchObject({ ok: false, status: 400 });
    expect(bodyRecords("m-1", "application/x-ndjson", enc(`${JSON.stringify(telemetry)}\n{`), 1024)).toMatchObject({
      ok: false,
      status: 400,
      message: expect.stringContaining("line 2"),
    });
    expect(bodyRecords("m-1", "application/x-protobuf", enc("\xff\xff\xff"), 1024)).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(bodyRecords("m-1", "application/json", enc({ ...telemetry, pad: "x".repeat(2000) }), 1024)).toMatchObject({
      ok: false,
      status: 413,
    });
  });
});
