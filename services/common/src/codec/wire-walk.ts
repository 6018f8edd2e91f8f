/** What the schema-specific wire readers (device-event-reader.ts, measurements-reader.ts) share. */
import type { WireReader } from "./wire-reader";

/** Thrown (never past readDeviceEvent) when a record needs the fromBinary path instead. */
export const FALLBACK = Symbol("fallback to fromBinary");

/** protobuf-es's default recursion limit: a message nested deeper is malformed there, so here too. */
export const RECURSION_LIMIT = 100;

/** The end of the length-prefixed message at r.pos, at nesting `depth` (the top-level message is 1). */
export function enter(r: WireReader, depth: number): number {
  const len = r.uint32();
  if (depth > RECURSION_LIMIT) throw new Error("maximum recursion depth reached");
  return r.pos + len;
}

/** Skips an unknown field as protobuf-es does, nested groups counting toward the recursion limit. */
export const skip = (r: WireReader, tag: number, depth: number) => r.skip(tag & 7, tag >>> 3, RECURSION_LIMIT - depth);
