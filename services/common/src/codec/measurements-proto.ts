/**
 * Measurement groups <-> protobuf. A device type with a typed message in `Measurements` (the oneof
 * field named after the type) is carried typed when every value fits its field; anything else
 * travels in `generic` (a Struct, which protobuf-es exposes as a plain JSON object), so no JSON is ever lost to the typed form.
 */
import { create, type DescField, type DescMessage, type JsonObject, ScalarType } from "@bufbuild/protobuf";
import { type Measurements, MeasurementsSchema } from "@gen/iot/telemetry/v1/measurements_pb";
import type { MeasurementGroup } from "../telemetry";
import { isObject } from "./validate";

type Plain = Record<string, unknown>;
const byName = new Map<DescMessage, Map<string, DescField>>();
const fieldsOf = (m: DescMessage) => {
  let f = byName.get(m);
  if (!f) byName.set(m, (f = new Map(m.fields.map((x) => [x.name, x]))));
  return f;
};
const typedCase = new Map(
  MeasurementsSchema.fields.filter((f) => f.oneof && f.name !== "generic").map((f) => [f.name, f]),
);

export function measurementsToProto(deviceType: string, groups: Record<string, MeasurementGroup>): Measurements {
  const field = typedCase.get(deviceType);
  const typed = field?.fieldKind === "message" ? toInit(field.message, groups) : undefined;
  if (field && typed) return create(MeasurementsSchema, { kind: { case: field.localName, value: typed } } as never);
  return create(MeasurementsSchema, { kind: { case: "generic", value: groups as JsonObject } });
}

export function measurementsFromProto(m: Measurements | undefined): Record<string, MeasurementGroup> {
  const kind = m?.kind;
  if (!kind?.case) return {};
  if (kind.case === "generic") return kind.value as Record<string, MeasurementGroup>;
  const field = MeasurementsSchema.fields.find((f) => f.localName === kind.case);
  return field?.fieldKind === "message"
    ? (fromMessage(field.message, kind.value as unknown as Plain) as Record<string, MeasurementGroup>)
    : {};
}

/** The message init for `json`, or undefined when some key or value has no exact typed home. */
function toInit(schema: DescMessage, json: Plain): Plain | undefined {
  const fields = fieldsOf(schema);
  const init: Plain = {};
  for (const k in json) {
    const f = fields.get(k);
    const v = json[k];
    if (!f) return undefined;
    if (f.fieldKind === "message") {
      const sub = isObject(v) ? toInit(f.message, v) : undefined;
      if (!sub) return undefined;
      init[f.localName] = sub;
    } else if (f.fieldKind === "scalar" && fits(f.scalar, v)) {
      init[f.localName] = v;
    } else return undefined;
  }
  return init;
}

function fits(t: ScalarType, v: unknown): boolean {
  switch (t) {
    case ScalarType.DOUBLE:
      return typeof v === "number";
    case ScalarType.INT32:
      return Number.isInteger(v) && (v as number) >= -0x80000000 && (v as number) <= 0x7fffffff;
    case ScalarType.BOOL:
      return typeof v === "boolean";
    case ScalarType.STRING:
      return typeof v === "string";
    default:
      return false;
  }
}

/** A typed message as its JSON object (measurements-reader.ts must return the same; its tests compare). */
export function fromMessage(schema: DescMessage, msg: Plain): Plain {
  const out: Plain = {};
  for (const f of schema.fields) {
    const v = msg[f.localName];
    if (v === undefined) continue;
    out[f.name] = f.fieldKind === "message" ? fromMessage(f.message, v as Plain) : v;
  }
  return out;
}
