/**
 * The schema-specific reader on hand-made edge cases: each one is checked against what it must return
 * and against the fromBinary path it replaces (device-event-reader.equivalence.test.ts does the same
 * on random input).
 */
import { describe, expect, test } from "bun:test";
import { TimestampSchema } from "@bufbuild/protobuf/wkt";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { DeviceEventSchema, TelemetrySchema, TrendPointSchema, TrendsSchema } from "@gen/iot/telemetry/v1/events_pb";
import { DecodeError, type DecodeReason } from "./decode-error";
import { readDeviceEvent } from "./device-event-reader";
import { deviceEventFromBinary } from "./proto";

const w = () => new BinaryWriter();
/** A message field: tag, then `body` length-prefixed. */
const msg = (into: BinaryWriter, no: number, body: (w: BinaryWriter) => BinaryWriter) =>
  into.tag(no, WireType.LengthDelimited).bytes(body(w()).finish());
const time =
  (seconds: number, nanos = 0) =>
  (x: BinaryWriter) =>
    x.tag(1, WireType.Varint).int64(seconds).tag(2, WireType.Varint).int32(nanos);
const reading = (value: number, unit: string) => (x: BinaryWriter) =>
  x.tag(1, WireType.Bit64).double(value).tag(2, WireType.LengthDelimited).string(unit);
/** DeviceEvent{telemetry{device_id, device_type, timestamp, measurements{<case>{…}}}}. */
const telemetry = (
  caseNo: number,
  groups: (x: BinaryWriter) => BinaryWriter,
  id = "d-1",
  extra = (x: BinaryWriter) => x,
) =>
  msg(w(), 1, (t) =>
    extra(
      msg(
        t.tag(1, WireType.LengthDelimited).string(id).tag(2, WireType.LengthDelimited).string("smart_meter"),
        3,
        time(1_767_225_600, 5_000),
      ),
    )
      .tag(4, WireType.LengthDelimited)
      .bytes(msg(w(), caseNo, groups).finish()),
  ).finish();
const METER = 2;
const energy = (m: BinaryWriter) => msg(m, 1, reading(1, "V"));
const BREAKER = 1;

/** Same result (or the same DecodeError reason) on both paths; the fast path taken; the result. */
function read(bytes: Uint8Array) {
  const fast = outcome(() => readDeviceEvent(bytes));
  expect(fast).toEqual(outcome(() => deviceEventFromBinary(bytes)));
  if ("value" in fast) expect(fast.value).toBeDefined();
  return fast;
}
function outcome(f: () => unknown): { value: unknown } | { reason: DecodeReason } {
  try {
    return { value: f() };
  } catch (e) {
    if (e instanceof DecodeError) return { reason: e.reason };
    throw e;
  }
}
const measurements = (o: ReturnType<typeof read>) =>
  (o as { value: { measurements: Record<string, Record<string, unknown>> } }).value.measurements;

describe("device-event-reader", () => {
  test("groups and their fields come back in schema order, whatever the wire order", () => {
    const out = read(
      telemetry(METER, (m) =>
        msg(
          msg(m, 3, (r) => r.tag(2, WireType.LengthDelimited).string("x").tag(1, WireType.Bit64).double(1)),
          1,
          reading(5, "kWh"),
        ),
      ),
    );
    expect(JSON.stringify(measurements(out))).toBe(
      '{"energy":{"value":5,"unit":"kWh"},"power_factor":{"value":1,"unit":"x"}}',
    );
  });

  test("a repeated scalar: the last wins; a repeated message merges", () => {
    const out = read(
      telemetry(METER, (m) =>
        msg(
          msg(m, 1, (r) => r.tag(1, WireType.Bit64).double(1).tag(1, WireType.Bit64).double(2)),
          1,
          (r) => r.tag(2, WireType.LengthDelimited).string("kWh"),
        ),
      ),
    );
    expect(JSON.stringify(measurements(out))).toBe('{"energy":{"value":2,"unit":"kWh"}}');
  });

  test("the last oneof case wins, and the same case again merges", () => {
    const kind = (caseNo: number, groupNo: number) => (t: BinaryWriter) =>
      msg(t, 4, (m) => msg(m, caseNo, (g) => msg(g, groupNo, reading(1, "u"))));
    const twice = (a: (t: BinaryWriter) => BinaryWriter, b: (t: BinaryWriter) => BinaryWriter) =>
      telemetry(
        METER,
        (m) => m,
        "d-1",
        (t) => b(a(t)),
      );
    // the helper's own (empty) meter case comes last: a meter case before it merges, a breaker's is dropped
    expect(measurements(read(twice(kind(BREAKER, 4), kind(METER, 1))))).toEqual({ energy: { value: 1, unit: "u" } });
    expect(measurements(read(twice(kind(METER, 2), kind(BREAKER, 4))))).toEqual({});
    expect(measurements(read(twice(kind(METER, 2), kind(METER, 1))))).toEqual({
      energy: { value: 1, unit: "u" },
      demand: { value: 1, unit: "u" },
    });
  });

  test("optional scalars are absent when not sent; zeros and false are kept when sent", () => {
    const out = read(
      telemetry(BREAKER, (b) =>
        msg(
          msg(b, 6, (s) => s.tag(1, WireType.Varint).int32(0)),
          7,
          (p) => p.tag(3, WireType.Varint).bool(false),
        ),
      ),
    );
    expect(measurements(out)).toEqual({ status: { breaker: 0 }, protection: { arc_fault_detected: false } });
  });

  test("unknown fields of every wire type are skipped, groups included", () => {
    const unknown = (x: BinaryWriter) =>
      x
        .tag(99, WireType.Varint)
        .uint64(2n ** 63n)
        .tag(98, WireType.Bit64)
        .fixed64(1n)
        .tag(97, WireType.Bit32)
        .fixed32(1)
        .tag(96, WireType.LengthDelimited)
        .bytes(new Uint8Array([0xff, 0xfe]))
        .tag(95, WireType.StartGroup)
        .tag(1, WireType.Varint)
        .int32(1)
        .tag(95, WireType.EndGroup);
    const out = read(telemetry(METER, (m) => unknown(msg(m, 1, (r) => unknown(reading(5, "kWh")(r)))), "d-1", unknown));
    expect(measurements(out)).toEqual({ energy: { value: 5, unit: "kWh" } });
    const mismatched = w().tag(95, WireType.StartGroup).tag(94, WireType.EndGroup).finish();
    expect(read(new Uint8Array([...telemetry(METER, energy), ...mismatched]))).toEqual({
      reason: "malformed",
    });
  });

  test("invalid UTF-8 is malformed, short or long, after the same string was read valid", () => {
    read(telemetry(METER, (m) => msg(m, 1, reading(1, "°C"))));
    for (const bad of [[0xc2], [0xff, 0x41], [0xed, 0xa0, 0x80], [...Array(40).fill(0x41), 0xc3]]) {
      const bytes = telemetry(METER, (m) =>
        msg(m, 1, (r) => r.tag(2, WireType.LengthDelimited).bytes(new Uint8Array(bad))),
      );
      expect(read(bytes)).toEqual({ reason: "malformed" });
    }
    expect((read(telemetry(METER, energy, "\uFEFFd")) as { value: { device_id: string } }).value.device_id).toBe(
      "\uFEFFd",
    );
  });

  test("input cut short at any byte is refused as protobuf-es refuses it", () => {
    const whole = telemetry(BREAKER, (b) =>
      msg(msg(b, 1, reading(120, "V")), 6, (s) => s.tag(1, WireType.Varint).int32(-1)),
    );
    for (let n = 0; n < whole.length; n++) read(whole.subarray(0, n));
  });

  test("a known field under another wire type is read by its type, as protobuf-es does", () => {
    const asVarint = telemetry(METER, (m) => msg(m, 1, (r) => r.tag(1, WireType.Varint).double(7.5)));
    expect(measurements(read(asVarint))).toEqual({ energy: { value: 7.5 } });
  });

  test("the mapping's reasons, after the bytes are known to be well formed", () => {
    expect(read(new Uint8Array())).toEqual({ reason: "unknown_schema" });
    expect(read(telemetry(METER, energy, ""))).toEqual({ reason: "missing_device_id" });
    const noTime = msg(w(), 1, (t) => t.tag(1, WireType.LengthDelimited).string("d")).finish();
    expect(read(noTime)).toEqual({ reason: "invalid_field" });
    const badNanos = msg(w(), 1, (t) => msg(t.tag(1, WireType.LengthDelimited).string("d"), 3, time(0, -1))).finish();
    expect(read(badNanos)).toEqual({ reason: "invalid_field" });
    expect(read(new Uint8Array([...badNanos, 0x0a]))).toEqual({ reason: "malformed" });
    const farTrend = msg(w(), 2, (t) =>
      msg(msg(t.tag(1, WireType.LengthDelimited).string("d"), 3, time(0)), 4, (p) =>
        p.tag(6, WireType.Varint).int64(9e12),
      ),
    ).finish();
    expect(read(farTrend)).toEqual({ reason: "invalid_field" });
  });

  test("trends: points in order, defaults for what a point leaves out, windows as numbers", () => {
    const bytes = msg(w(), 2, (t) =>
      msg(
        msg(msg(t.tag(1, WireType.LengthDelimited).string("d"), 3, time(1_767_225_600)), 4, (p) =>
          p.tag(1, WireType.LengthDelimited).string("v_a").tag(6, WireType.Varint).int64(1_767_225_600),
        ),
        4,
        (p) => p.tag(2, WireType.Bit64).double(-1),
      ),
    ).finish();
    expect(read(bytes)).toEqual({
      value: {
        device_id: "d",
        device_type: "",
        timestamp: "2026-01-01T00:00:00.000000Z",
        event_type: "trends",
        trends: [
          { c: "v_a", v: 0, avg: 0, min: 0, max: 0, t: 1_767_225_600 },
          { c: "", v: -1, avg: 0, min: 0, max: 0, t: 0 },
        ],
      },
    });
  });

  test("groups nested past protobuf-es's recursion limit are malformed", () => {
    const deep = (n: number) => {
      const x = w();
      for (let i = 0; i < n; i++) x.tag(90, WireType.StartGroup);
      for (let i = 0; i < n; i++) x.tag(90, WireType.EndGroup);
      return x.finish();
    };
    const nested = (n: number) => read(new Uint8Array([...telemetry(METER, energy), ...deep(n)]));
    expect(nested(99)).toHaveProperty("value");
    expect(nested(100)).toEqual({ reason: "malformed" });
  });

  test("the generic Struct case falls back to fromBinary, with the same result", () => {
    const generic = telemetry(15, (s) =>
      msg(s, 1, (e) =>
        e.tag(1, WireType.LengthDelimited).string("g").tag(2, WireType.LengthDelimited).bytes(new Uint8Array()),
      ),
    );
    expect(readDeviceEvent(generic)).toBeUndefined();
    expect(outcome(() => deviceEventFromBinary(generic))).toHaveProperty("value");
  });

  test("knows every field of the events.proto messages it reads (a new one needs code here)", () => {
    const names = (d: { fields: { name: string }[] }) => d.fields.map((f) => f.name);
    expect(names(DeviceEventSchema)).toEqual(["telemetry", "trends"]);
    expect(names(TelemetrySchema)).toEqual(["device_id", "device_type", "timestamp", "measurements"]);
    expect(names(TrendsSchema)).toEqual(["device_id", "device_type", "timestamp", "trends"]);
    expect(names(TrendPointSchema)).toEqual(["metric", "last", "avg", "min", "max", "window_start"]);
    expect(names(TimestampSchema)).toEqual(["seconds", "nanos"]);
  });
});
