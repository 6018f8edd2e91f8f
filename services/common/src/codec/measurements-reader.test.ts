/**
 * The measurement plans come from descriptors, so a field added to measurements.proto needs no code:
 * here a made-up Measurements (built at run time) with fields of kinds the real one does not have yet
 * is read fast where the reader can match fromBinary + the old mapping, and falls back where it cannot.
 */
import { describe, expect, test } from "bun:test";
import { create, createFileRegistry, type DescMessage, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";
import { fromMessage } from "./measurements-proto";
import { createMeasurementsReader, groupsOf } from "./measurements-reader";
import { WireReader } from "./wire-reader";
import { FALLBACK } from "./wire-walk";

/** An `optional` proto3 field: its own synthetic oneof, as protoc writes it. */
const optional = (name: string, number: number, type: Type, oneofIndex: number, typeName = "") => ({
  name,
  number,
  type,
  typeName,
  label: Label.OPTIONAL,
  proto3Optional: true,
  oneofIndex,
});
const message = (name: string, fields: ({ name: string; proto3Optional?: boolean } & Record<string, unknown>)[]) => ({
  name,
  field: fields,
  oneofDecl: fields.filter((f) => f.proto3Optional).map((f) => ({ name: `_${f.name}` })),
});
const file = create(FileDescriptorProtoSchema, {
  name: "made-up.proto",
  package: "t",
  syntax: "proto3",
  messageType: [
    {
      name: "Measurements",
      oneofDecl: [{ name: "kind" }],
      field: ["Gauge", "Listy", "Wide", "Implicit"].map((m, i) => ({
        name: m.toLowerCase(),
        number: i + 1,
        type: Type.MESSAGE,
        typeName: `.t.${m}`,
        label: Label.OPTIONAL,
        oneofIndex: 0,
      })),
    },
    message("Gauge", [
      optional("level", 1, Type.DOUBLE, 0),
      optional("label", 2, Type.STRING, 1),
      optional("sub", 3, Type.MESSAGE, 2, ".t.Sub"),
    ]),
    message("Sub", [optional("on", 1, Type.BOOL, 0), optional("n", 2, Type.INT32, 1)]),
    // a repeated field is [] in the old path even when absent: every Listy falls back
    message("Listy", [
      optional("a", 1, Type.DOUBLE, 0),
      { name: "xs", number: 2, type: Type.DOUBLE, label: Label.REPEATED },
    ]),
    // an int64 (a bigint in the old path) and a name on Object.prototype fall back when sent
    message("Wide", [
      optional("a", 1, Type.DOUBLE, 0),
      optional("big", 2, Type.INT64, 1),
      optional("constructor", 3, Type.DOUBLE, 2),
    ]),
    // implicit presence: the old path emits the zero of an absent field
    message("Implicit", [{ name: "a", number: 1, type: Type.DOUBLE, label: Label.OPTIONAL }]),
  ],
});
const registry = createFileRegistry(file, () => undefined);
const Measurements = registry.getMessage("t.Measurements")!;
const read = createMeasurementsReader(Measurements);

/** The made-up Measurements from `init` as fromBinary + fromMessage see it, and as the reader does. */
function both(init: object) {
  const body = toBinary(Measurements, create(Measurements, init as never));
  const kind = (fromBinary(Measurements, body) as unknown as { kind: { case: string; value: object } }).kind;
  const typed = Measurements.fields.find((f) => f.localName === kind.case) as { message: DescMessage };
  const before = fromMessage(typed.message, kind.value as Record<string, unknown>);
  const framed = new BinaryWriter().bytes(body).finish();
  try {
    return { before, now: groupsOf(read(new WireReader(framed), 1)) as unknown };
  } catch (e) {
    if (e === FALLBACK) return { before, now: "fallback" };
    throw e;
  }
}
const kind = (c: string, value: object) => ({ kind: { case: c, value } });

describe("measurement plans from descriptors", () => {
  test("fields of kinds the reader knows are read fast, nested ones too, in schema order", () => {
    const { before, now } = both(kind("gauge", { sub: { n: -5, on: false }, label: "°C", level: 0 }));
    expect(now).toEqual(before);
    expect(JSON.stringify(now)).toBe('{"level":0,"label":"°C","sub":{"on":false,"n":-5}}');
  });

  test("a message with a list, or a field of implicit presence, always falls back", () => {
    expect(both(kind("listy", { a: 1 }))).toEqual({ before: { a: 1, xs: [] }, now: "fallback" });
    expect(both(kind("implicit", {}))).toEqual({ before: { a: 0 }, now: "fallback" });
  });

  test("a field of a kind the reader does not read falls back only when it is sent", () => {
    expect(both(kind("wide", { a: 2 }))).toEqual({ before: { a: 2 }, now: { a: 2 } });
    expect(both(kind("wide", { a: 2, big: 5n })).now).toBe("fallback");
    expect(both(kind("wide", { constructor$: 1 }))).toEqual({ before: { constructor: 1 }, now: "fallback" });
  });
});
