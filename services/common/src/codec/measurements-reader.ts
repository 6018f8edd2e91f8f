/**
 * Reads a typed `Measurements` message from the wire straight into its JSON groups, as
 * measurementsFromProto(fromBinary(…)) would return them, with one plan per message built once from the
 * generated descriptors: a field added to measurements.proto needs no change here. Whatever a plan
 * cannot reproduce exactly (the `generic` Struct, lists, maps, 64-bit integers, bytes, enums, nested
 * oneofs, implicit-presence scalars whose zero the old path would emit) throws FALLBACK, and the caller
 * decodes that record the old way.
 */
import { type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import type { JsonValue, MeasurementGroup } from "../telemetry";
import type { WireReader } from "./wire-reader";
import { enter, FALLBACK, skip } from "./wire-walk";

type Plain = Record<string, JsonValue>;
interface FieldPlan {
  key: string;
  /** Position in the schema: the key order fromMessage emits. */
  index: number;
  scalar?: (r: WireReader) => JsonValue;
  message?: MessagePlan;
}
interface MessagePlan {
  /** By field number; FALLBACK_FIELD for a known field this reader does not handle. */
  byNumber: (FieldPlan | undefined)[];
  fields: FieldPlan[];
  /** Some field would get a key from the old path even when absent: every such message falls back. */
  fallback: boolean;
}
const FALLBACK_FIELD: FieldPlan = { key: "", index: -1 };

// The scalar types measurements.proto uses; a field of another type falls back until it is added here.
const SCALARS = new Map<ScalarType, (r: WireReader) => JsonValue>([
  [ScalarType.DOUBLE, (r) => r.double()],
  [ScalarType.INT32, (r) => r.int32()],
  [ScalarType.BOOL, (r) => r.bool()],
  [ScalarType.STRING, (r) => r.string()],
]);
// FeatureSet.FieldPresence.EXPLICIT: absent means no key (proto3 `optional`); otherwise the old path
// emits the field's zero when it is absent, which a reader of the wire alone would have to invent.
const EXPLICIT = 1;

const plans = new Map<DescMessage, MessagePlan>();
function planOf(desc: DescMessage): MessagePlan {
  let plan = plans.get(desc);
  if (plan) return plan;
  plan = { byNumber: [], fields: [], fallback: false };
  plans.set(desc, plan); // before the fields: a recursive message finds itself
  for (const [index, f] of desc.fields.entries()) {
    // Lists and maps count as implicit too (the old path emits [] or {} for them when absent).
    if (f.fieldKind !== "message" && f.presence !== EXPLICIT) plan.fallback = true;
    const field = fieldPlan(f, index);
    plan.byNumber[f.number] = field;
    if (field !== FALLBACK_FIELD) plan.fields.push(field);
  }
  return plan;
}

function fieldPlan(f: DescField, index: number): FieldPlan {
  // A oneof member is not where fromMessage looks; a key on Object.prototype would read as present.
  if (f.oneof || f.name in Object.prototype) return FALLBACK_FIELD;
  if (f.fieldKind === "scalar" && SCALARS.has(f.scalar)) return { key: f.name, index, scalar: SCALARS.get(f.scalar) };
  const message = messagePlan(f);
  return message ? { key: f.name, index, message } : FALLBACK_FIELD;
}

// Well-known types (Struct, wrappers, Timestamp) take other shapes in protobuf-es: not ours to read.
const messagePlan = (f: DescField) =>
  f.fieldKind === "message" && !f.delimitedEncoding && !f.message.typeName.startsWith("google.protobuf.")
    ? planOf(f.message)
    : undefined;

/** The case set on a Measurements message: which typed field, and its groups so far. */
export interface MeasurementsCase {
  no: number;
  groups: Plain;
}

/**
 * A reader of `schema` (MeasurementsSchema; tests pass made-up ones): one message of it, length-prefixed
 * at r.pos, merged into `into` as protobuf-es merges. Its typed cases are the oneof's message fields;
 * any other field (`generic` among them) falls back.
 */
export function createMeasurementsReader(schema: DescMessage) {
  const cases: (MessagePlan | typeof FALLBACK)[] = [];
  for (const f of schema.fields) cases[f.number] = (f.oneof && messagePlan(f)) || FALLBACK;
  return (r: WireReader, depth: number, into?: MeasurementsCase): MeasurementsCase | undefined => {
    const end = enter(r, ++depth);
    let kind = into;
    while (r.pos < end) {
      const tag = r.tag();
      const no = tag >>> 3;
      const plan = cases[no];
      if (plan === undefined) skip(r, tag, depth);
      else if (plan === FALLBACK) throw FALLBACK;
      // oneof: the same case again merges into it, another case replaces it
      else kind = { no, groups: readMessage(plan, r, depth, kind?.no === no ? kind.groups : undefined) };
    }
    return kind;
  };
}

export const groupsOf = (kind: MeasurementsCase | undefined) =>
  (kind?.groups ?? {}) as Record<string, MeasurementGroup>;

function readMessage(plan: MessagePlan, r: WireReader, depth: number, into: Plain | undefined): Plain {
  if (plan.fallback) throw FALLBACK;
  const end = enter(r, ++depth);
  const out: Plain = into ?? {};
  // Keys land in wire order; a merge or a field out of schema order means re-keying at the end.
  let inOrder = into === undefined;
  let last = -1;
  while (r.pos < end) {
    const tag = r.tag();
    const f = plan.byNumber[tag >>> 3];
    if (f === undefined) {
      skip(r, tag, depth);
      continue;
    }
    if (f === FALLBACK_FIELD) throw FALLBACK;
    if (f.index < last) inOrder = false;
    last = f.index;
    // protobuf-es reads a known field by its type whatever the tag's wire type says; so does this.
    out[f.key] = f.scalar ? f.scalar(r) : readMessage(f.message!, r, depth, out[f.key] as Plain | undefined);
  }
  return inOrder ? out : inSchemaOrder(plan, out);
}

function inSchemaOrder(plan: MessagePlan, from: Plain): Plain {
  const out: Plain = {};
  for (const f of plan.fields) if (f.key in from) out[f.key] = from[f.key]!;
  return out;
}
