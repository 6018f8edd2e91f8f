/**
 * Inputs for holding device-event-reader.ts to the fromBinary path: random DeviceEvents drawn from the
 * schema's own descriptors (so a field added to measurements.proto is exercised with no change here),
 * and mutations of their encodings, structural (fields duplicated, dropped, reordered, retyped, unknown
 * fields and groups added, whole messages concatenated, at any depth) and byte-level (truncated,
 * flipped, inserted, deleted).
 */
import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { MeasurementsSchema } from "@gen/iot/telemetry/v1/measurements_pb";
import { encodeDeviceEvent } from "../codec";
import type { DeviceEvent, JsonValue, MeasurementGroup } from "../telemetry";
import { formatTimestamp } from "./timestamp";

/** xorshift32: a seeded, reproducible stream (a failing case is found again from its seed). */
export function randomStream(seed: number) {
  let s = seed | 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick, chance: (p: number) => next() < p };
}
export type Random = ReturnType<typeof randomStream>;

const DOUBLES = [0, -0, 1, -1, 0.5, 59.98, 117.2, -273.15, 1e-300, 1.7976931348623157e308, Number.NaN, Infinity];
const INT32S = [0, 1, -1, 127, 128, 300, 2 ** 31 - 1, -(2 ** 31), 16384];
const STRINGS = [
  "",
  "V",
  "°C",
  "Hz",
  "kWh",
  "%RH",
  "\uFEFFbom",
  "😀 emoji",
  "x".repeat(31),
  "y".repeat(33),
  "ünïcödé ".repeat(6),
];

function randomScalar(rng: Random, t: ScalarType): JsonValue {
  if (t === ScalarType.DOUBLE) return rng.chance(0.5) ? rng.pick(DOUBLES) : (rng.next() - 0.5) * 10 ** rng.int(12);
  if (t === ScalarType.INT32) return rng.chance(0.5) ? rng.pick(INT32S) : rng.int(2 ** 32) - 2 ** 31;
  if (t === ScalarType.BOOL) return rng.chance(0.5);
  if (t === ScalarType.STRING) return rng.pick(STRINGS);
  throw new Error(`no random ${ScalarType[t]} yet: add one for the new field`);
}

/** Some of `desc`'s fields, as the JSON object measurementsToProto makes its typed message from. */
function randomGroups(rng: Random, desc: DescMessage, depth = 0): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const f of desc.fields) {
    if (rng.chance(0.3)) continue;
    if (f.fieldKind === "scalar") out[f.name] = randomScalar(rng, f.scalar);
    else if (f.fieldKind === "message" && depth < 4) out[f.name] = randomGroups(rng, f.message, depth + 1);
  }
  return out;
}

const TYPED = MeasurementsSchema.fields.filter((f) => f.oneof && f.fieldKind === "message" && f.name !== "generic");
const MIN_S = -62_167_219_200;
const MAX_S = 253_402_300_799;

/** A random event: typed measurements mostly, some that need `generic`, trends, odd ids and times. */
export function randomEvent(rng: Random): DeviceEvent {
  const seconds = rng.chance(0.9) ? 1.7e9 + rng.int(1e8) : MIN_S + rng.int(2 ** 30) * ((MAX_S - MIN_S) / 2 ** 30);
  const head = {
    device_id: rng.chance(0.05) ? "" : rng.pick(["breaker-001", "meter-7", "é-1", "d".repeat(40)]),
    device_type: "",
    timestamp: formatTimestamp(seconds, rng.int(1e6)),
  };
  if (rng.chance(0.2)) {
    const trends = Array.from({ length: rng.int(4) }, () => ({
      c: rng.pick(STRINGS),
      v: rng.pick(DOUBLES),
      avg: rng.pick(DOUBLES),
      min: rng.pick(DOUBLES),
      max: rng.pick(DOUBLES),
      t: rng.chance(0.95) ? 1.7e9 + rng.int(1e8) : 1e13,
    }));
    return { ...head, device_type: rng.pick(TYPED).name, event_type: "trends", trends };
  }
  const field = rng.pick(TYPED);
  if (field.fieldKind !== "message") throw new Error("typed cases are messages");
  const measurements = randomGroups(rng, field.message) as Record<string, MeasurementGroup>;
  // A key the typed message lacks sends the whole event through `generic` (the fallback path).
  if (rng.chance(0.1)) measurements.extra = { value: 1, nested: { list: [1, "a", null, true] } };
  return { ...head, device_type: field.name, event_type: "telemetry", measurements };
}

export const encoded = (e: DeviceEvent) => encodeDeviceEvent(e, "protobuf").value;

/** One field on the wire: a value's raw bytes, or (length-delimited and parseable) its own fields. */
interface WireField {
  tag: number;
  raw: Uint8Array;
  fields?: WireField[];
}

function readVarint(b: Uint8Array, at: { pos: number }): number | undefined {
  let v = 0;
  for (let shift = 0; shift < 35; shift += 7) {
    const byte = b[at.pos++];
    if (byte === undefined) return undefined;
    v += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return v;
  }
  return undefined;
}

/** `b` as fields, or undefined when it is not a clean sequence of them (then it stays raw bytes). */
function parseFields(b: Uint8Array, depth = 0): WireField[] | undefined {
  const out: WireField[] = [];
  const at = { pos: 0 };
  while (at.pos < b.length) {
    const tag = readVarint(b, at);
    if (tag === undefined || tag >>> 3 === 0) return undefined;
    const start = at.pos;
    const wt = tag & 7;
    if (wt === 0 && readVarint(b, at) === undefined) return undefined;
    if (wt === 1) at.pos += 8;
    if (wt === 5) at.pos += 4;
    if (wt === 2) {
      const len = readVarint(b, at);
      if (len === undefined || at.pos + len > b.length) return undefined;
      const raw = b.subarray(at.pos, at.pos + len);
      at.pos += len;
      out.push({ tag, raw, fields: depth < 6 && len > 0 ? parseFields(raw, depth + 1) : undefined });
      continue;
    }
    if (wt > 2 && wt !== 5) return undefined;
    if (at.pos > b.length) return undefined;
    out.push({ tag, raw: b.subarray(start, at.pos) });
  }
  return out;
}

function varint(n: number, into: number[]) {
  while (n >= 0x80) {
    into.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  into.push(n);
}

function serialize(fields: WireField[], into: number[] = []): number[] {
  for (const f of fields) {
    varint(f.tag, into);
    if ((f.tag & 7) !== 2) {
      into.push(...f.raw);
      continue;
    }
    const body = f.fields ? serialize(f.fields) : [...f.raw];
    varint(body.length, into);
    into.push(...body);
  }
  return into;
}

/** Every field list in the tree (the top level and each parsed nested message). */
function lists(fields: WireField[], out: WireField[][] = []): WireField[][] {
  out.push(fields);
  for (const f of fields) if (f.fields) lists(f.fields, out);
  return out;
}

function unknownField(rng: Random, depth = 0): WireField {
  const no = rng.pick([5, 6, 9, 14, 16, 100, 2047, 536870911]);
  const wt = rng.pick([0, 1, 2, 3, 5]);
  if (wt === 3) {
    // A group: its fields, then an end tag (now and then a wrong one, which protobuf-es refuses).
    const inner = depth < 3 ? Array.from({ length: rng.int(3) }, () => unknownField(rng, depth + 1)) : [];
    const end: number[] = [];
    varint((rng.chance(0.1) ? no + 1 : no) * 8 + 4, end);
    return { tag: no * 8 + 3, raw: new Uint8Array([...serialize(inner), ...end]) };
  }
  const raw = wt === 0 ? [rng.int(256) & 0x7f] : wt === 1 ? Array(8).fill(7) : wt === 5 ? [1, 2, 3, 4] : [];
  if (wt === 2) return { tag: no * 8 + 2, raw: new Uint8Array(Array.from({ length: rng.int(5) }, () => rng.int(256))) };
  return { tag: no * 8 + wt, raw: new Uint8Array(raw) };
}

/** A structural change somewhere in the tree of `bytes` (which stays a sequence of well-formed fields). */
function mutateStructure(rng: Random, bytes: Uint8Array, other: Uint8Array): Uint8Array {
  const top = parseFields(bytes);
  if (!top) return bytes;
  const all = lists(top);
  const list = rng.pick(all);
  const i = rng.int(Math.max(list.length, 1));
  switch (rng.int(7)) {
    case 0: // the same field again: scalars overwrite, messages merge
      if (list[i]) list.splice(rng.int(list.length + 1), 0, list[i]!);
      break;
    case 1: // fields out of order
      for (let k = list.length - 1; k > 0; k--) {
        const j = rng.int(k + 1);
        [list[k], list[j]] = [list[j]!, list[k]!];
      }
      break;
    case 2:
      list.splice(i, 1);
      break;
    case 3:
      list.splice(rng.int(list.length + 1), 0, unknownField(rng));
      break;
    case 4: // a known field number with another wire type (protobuf-es reads it by the field's type anyway)
      if (list[i])
        list[i] = { ...list[i]!, tag: list[i]!.tag - (list[i]!.tag % 8) + rng.pick([0, 1, 2, 5]), fields: undefined };
      break;
    case 5: // two messages concatenated: protobuf's merge
      return new Uint8Array([...serialize(top), ...other]);
    case 6: {
      // a field from another event spliced in at any depth
      const from = parseFields(other);
      const donor = from && rng.pick(lists(from));
      if (donor?.length) list.splice(rng.int(list.length + 1), 0, rng.pick(donor));
      break;
    }
  }
  return new Uint8Array(serialize(top));
}

function mutateBytes(rng: Random, bytes: Uint8Array): Uint8Array {
  const b = [...bytes];
  const at = rng.int(b.length + 1);
  switch (rng.int(4)) {
    case 0:
      return new Uint8Array(b.slice(0, at));
    case 1:
      if (at < b.length) b[at] = b[at]! ^ (1 << rng.int(8));
      break;
    case 2:
      b.splice(at, 0, rng.pick([0x00, 0x80, 0xff, 0x0f, 0x1a, 0x0a, 0x12, 0xc3, rng.int(256)]));
      break;
    case 3:
      b.splice(at, 1 + rng.int(3));
      break;
  }
  return new Uint8Array(b);
}

/** `bytes` after a few random structural and byte-level changes (none, now and then). */
export function mutate(rng: Random, bytes: Uint8Array, other: Uint8Array): Uint8Array {
  let out = bytes;
  for (let n = rng.int(4); n > 0; n--) out = mutateStructure(rng, out, other);
  if (rng.chance(0.4)) out = mutateBytes(rng, out);
  return out;
}
