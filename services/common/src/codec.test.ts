import { describe, expect, test } from "bun:test";
import {
  DecodeError,
  decodeDeviceEvent,
  decodeEnrichedEvent,
  encodeDeviceEvent,
  encodeEnrichedEvent,
  type DecodeReason,
  type PayloadFormat,
} from "./codec";
import type { DeviceEvent, EnrichedEvent } from "./telemetry";
import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";

/** The JSON example under a README heading: the README's examples are the contract. */
async function readmeExample(heading: string): Promise<Record<string, unknown>> {
  const readme = await Bun.file(new URL("../../../README.md", import.meta.url)).text();
  const at = readme.indexOf(`### ${heading}`);
  const m = /```json\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !m) throw new Error(`README has no JSON example under "${heading}"`);
  return JSON.parse(m[1]!);
}

const bytes = (s: string) => new TextEncoder().encode(s);
const formats: PayloadFormat[] = ["json", "protobuf"];

function expectDecodeError(f: () => unknown, reason: DecodeReason, text: RegExp) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(DecodeError);
    expect((e as DecodeError).reason).toBe(reason);
    expect((e as DecodeError).message).toMatch(text);
    return;
  }
  throw new Error("expected a DecodeError");
}

describe("README examples", () => {
  for (const heading of ["Raw message (telemetry)", "Trends message (5-minute aggregates)"]) {
    for (const format of formats) {
      test(`${heading} survives ${format}`, async () => {
        const example = await readmeExample(heading);
        const decoded = decodeDeviceEvent(bytes(JSON.stringify(example)));
        expect(decoded).toEqual(example as unknown as DeviceEvent);
        const { value, headers } = encodeDeviceEvent(decoded, format);
        expect(decodeDeviceEvent(value, headers)).toEqual(example as unknown as DeviceEvent);
      });
    }
  }

  for (const format of formats) {
    test(`Enriched message survives ${format}`, async () => {
      const example = await readmeExample("Enriched message");
      const decoded = decodeEnrichedEvent(bytes(JSON.stringify(example)));
      const { value, headers } = encodeEnrichedEvent(decoded, format);
      expect(decodeEnrichedEvent(value, headers)).toEqual(example as unknown as EnrichedEvent);
    });
  }

  test("protobuf headers name the message type", async () => {
    const { headers } = encodeDeviceEvent(
      decodeDeviceEvent(bytes(JSON.stringify(await readmeExample("Raw message (telemetry)")))),
      "protobuf",
    );
    expect(headers).toEqual({
      "content-type": "application/x-protobuf",
      "message-type": "iot.telemetry.v1.DeviceEvent",
    });
  });

  test("a known device type travels as its typed message", async () => {
    const { value } = encodeDeviceEvent(
      decodeDeviceEvent(bytes(JSON.stringify(await readmeExample("Raw message (telemetry)")))),
      "protobuf",
    );
    const msg = fromBinary(DeviceEventSchema, value);
    expect(msg.event.case === "telemetry" && msg.event.value.measurements?.kind.case).toBe("smartBreaker");
  });
});

describe("device types are data", () => {
  const telemetry = (device_type: string, measurements: Record<string, Record<string, unknown>>) =>
    ({
      device_id: "x-1",
      device_type,
      timestamp: "2026-01-02T03:04:05.000006Z",
      event_type: "telemetry",
      measurements,
    }) as DeviceEvent;

  test("an unknown device type with arbitrary groups survives both encodings", () => {
    const e = telemetry("water_pump", {
      flow: { value: 12.5, unit: "l/min", nested: { a: [1, "two", true, null] } },
      valve: { open: true, label: "V-7" },
    });
    for (const format of formats) {
      const { value, headers } = encodeDeviceEvent(e, format);
      expect(decodeDeviceEvent(value, headers)).toEqual(e);
    }
  });

  test("a known type with fields its typed message lacks falls back without loss", () => {
    const e = telemetry("smart_breaker", {
      voltage: { phase_a: 120, unit: "V", phase_n: 0.4 },
      protection: { trip_count: 2.5, arc_fault_detected: false },
    });
    const { value, headers } = encodeDeviceEvent(e, "protobuf");
    expect(decodeDeviceEvent(value, headers)).toEqual(e);
  });

  test("zeros and false survive the typed form (presence is kept)", () => {
    const e = telemetry("smart_breaker", {
      status: { breaker: 0, position: 0 },
      protection: { trip_count: 0, arc_fault_detected: false },
    });
    const { value, headers } = encodeDeviceEvent(e, "protobuf");
    expect(decodeDeviceEvent(value, headers)).toEqual(e);
  });
});

describe("timestamps", () => {
  const at = (timestamp: string) =>
    (decodeDeviceEvent(bytes(JSON.stringify({ device_id: "d", timestamp, measurements: {} }))) as DeviceEvent)
      .timestamp;

  test("are rewritten to RFC 3339 UTC with microseconds", () => {
    expect(at("2025-08-19T17:40:37.594176")).toBe("2025-08-19T17:40:37.594176Z");
    expect(at("2025-08-19T19:40:37.5+02:00")).toBe("2025-08-19T17:40:37.500000Z");
    expect(at("2025-08-19T17:40:37Z")).toBe("2025-08-19T17:40:37.000000Z");
    expect(at("2025-08-19T17:40:37.123456789Z")).toBe("2025-08-19T17:40:37.123456Z");
  });

  test("a non-time is an invalid field", () => {
    expectDecodeError(() => at("yesterday"), "invalid_field", /timestamp.*not an RFC 3339 time/);
  });
});

describe("bad input gives a typed error with a reason", () => {
  const ok = {
    device_id: "d",
    device_type: "smart_meter",
    timestamp: "2026-01-01T00:00:00Z",
    event_type: "telemetry",
    measurements: {},
  };

  test("garbage bytes", () => {
    expectDecodeError(() => decodeDeviceEvent(new Uint8Array([0xff, 0xfe, 0x00, 0x13])), "malformed", /UTF-8 JSON/);
    expectDecodeError(
      () => decodeDeviceEvent(new Uint8Array([0xff, 0xfe, 0x00, 0x13]), { "content-type": "application/x-protobuf" }),
      "malformed",
      /protobuf/,
    );
  });
  test("a JSON array", () =>
    expectDecodeError(() => decodeDeviceEvent(bytes("[1,2]")), "not_an_object", /got an array/));
  test("a missing device_id", () => {
    const { device_id: _, ...rest } = ok;
    expectDecodeError(() => decodeDeviceEvent(bytes(JSON.stringify(rest))), "missing_device_id", /device_id/);
  });
  test("an empty protobuf message", () =>
    expectDecodeError(
      () => decodeDeviceEvent(new Uint8Array(), { "content-type": "application/x-protobuf" }),
      "unknown_schema",
      /no telemetry or trends/,
    ));
  test("an unknown event type or field", () => {
    expectDecodeError(
      () => decodeDeviceEvent(bytes(JSON.stringify({ ...ok, event_type: "alarm" }))),
      "unknown_schema",
      /"alarm"/,
    );
    expectDecodeError(() => decodeDeviceEvent(bytes(JSON.stringify({ ...ok, extra: 1 }))), "unknown_schema", /"extra"/);
  });
  test("a measurement group that is not an object", () =>
    expectDecodeError(
      () => decodeDeviceEvent(bytes(JSON.stringify({ ...ok, measurements: { energy: 5 } }))),
      "unknown_schema",
      /measurements.energy/,
    ));
  test("a malformed trend point", () => {
    const trends = {
      ...ok,
      event_type: "trends",
      measurements: undefined,
      trends: [{ c: "x", v: "1", avg: 1, min: 1, max: 1, t: 1 }],
    };
    expectDecodeError(() => decodeDeviceEvent(bytes(JSON.stringify(trends))), "invalid_field", /trends\[0\]\.v/);
  });
  test("an event type named like an Object.prototype member is an unknown schema, not a crash", () => {
    for (const event_type of ["constructor", "__proto__", "toString", "hasOwnProperty"])
      expectDecodeError(
        () => decodeDeviceEvent(bytes(JSON.stringify({ ...ok, event_type }))),
        "unknown_schema",
        /is not telemetry or trends/,
      );
  });
  test("times outside the years 0000–9999 are refused in both encodings", () => {
    const point = { c: "x", v: 1, avg: 1, min: 1, max: 1, t: 9e12 };
    const trends = {
      device_id: "d",
      device_type: "smart_meter",
      timestamp: ok.timestamp,
      event_type: "trends",
      trends: [point],
    };
    expectDecodeError(
      () => decodeDeviceEvent(bytes(JSON.stringify(trends))),
      "invalid_field",
      /trends\[0\]\.t: 9000000000000 is outside/,
    );
    const valid = encodeDeviceEvent({ ...trends, event_type: "trends", trends: [{ ...point, t: 1 }] }, "protobuf");
    const msg = fromBinary(DeviceEventSchema, valid.value);
    if (msg.event.case !== "trends") throw new Error("expected trends");
    msg.event.value.trends[0]!.windowStart = 9_000_000_000_000n;
    const tooFar = toBinary(DeviceEventSchema, msg);
    expectDecodeError(() => decodeDeviceEvent(tooFar, valid.headers), "invalid_field", /trends\[0\]\.t/);
    msg.event.value.trends[0]!.windowStart = 1n;
    msg.event.value.timestamp = { $typeName: "google.protobuf.Timestamp", seconds: 10n ** 15n, nanos: 0 };
    expectDecodeError(
      () => decodeDeviceEvent(toBinary(DeviceEventSchema, msg), valid.headers),
      "invalid_field",
      /timestamp/,
    );
  });
  test("an unknown content type or message type", () => {
    expectDecodeError(
      () => decodeDeviceEvent(bytes("{}"), { "content-type": "text/csv" }),
      "unknown_schema",
      /text\/csv/,
    );
    expectDecodeError(
      () => decodeDeviceEvent(new Uint8Array(), { "content-type": "application/x-protobuf", "message-type": "x.Y" }),
      "unknown_schema",
      /x\.Y/,
    );
  });
  test("an enriched event: its blocks are required, nothing else is added", async () => {
    const example = (await readmeExample("Enriched message")) as Record<string, unknown>;
    const { application_registry: _, ...withoutRegistry } = example;
    expectDecodeError(
      () => decodeEnrichedEvent(bytes(JSON.stringify(withoutRegistry))),
      "unknown_schema",
      /application_registry: missing/,
    );
    expectDecodeError(
      () => decodeEnrichedEvent(bytes(JSON.stringify({ ...example, extra: 1 }))),
      "unknown_schema",
      /unexpected field "extra"/,
    );
    expectDecodeError(() => decodeEnrichedEvent(bytes("[1]")), "not_an_object", /got an array/);
  });
});
