/**
 * Enriched JSON decoded as two parts: the event, parsed for every record, and the enrichment blocks,
 * parsed once per distinct text. Enrichment writes a record as its event's JSON followed by
 * `,"device_metadata":…,"application_registry":…,"enrichment_info":…,"data_quality":…}`
 * (enriched-encoder.ts), and those blocks are the same bytes for every record of a device type in a
 * batch: about two thirds of a record that each reader parsed, validated and dropped again. Here the
 * record is cut before its first `,"device_metadata":`; the text before it, closed with `}`, is the
 * event, and the text after it is looked up among the block texts already parsed (by CRC-32, then
 * byte for byte). The result is what `parseEnrichedJson` gives (enriched-json.test.ts): the same
 * object, the shared blocks frozen.
 *
 * Why a cut gives the same answer: in valid JSON a raw `"` always delimits a string, so the marker
 * occurs only as an object key after a comma. At the record's top level, head + `}` and `{` + the rest
 * of the tail are the record's two halves as objects of their own, and joined they are the record.
 * Cut inside a nested object (a measurement group named "device_metadata"), head + `}` leaves a
 * bracket open and does not parse. Whatever does not fit, or fails its check, is decoded by the full
 * parse, which gives today's answer or today's DecodeError.
 */
import type { EnrichedEvent, Enrichment } from "../telemetry";
import { DecodeError } from "./decode-error";
import { parseJson } from "./parse-json";
import { isObject, validateDeviceEvent } from "./validate";

export const ENRICHMENT_KEYS: ReadonlySet<string> = new Set([
  "device_metadata",
  "application_registry",
  "enrichment_info",
  "data_quality",
]);

/** The whole record parsed and checked: the reference answer, and what every odd record gets. */
export function parseEnrichedJson(value: Uint8Array): EnrichedEvent {
  const doc = parseJson(value);
  validateDeviceEvent(doc, ENRICHMENT_KEYS);
  for (const k of ENRICHMENT_KEYS)
    if (!isObject((doc as Record<string, unknown>)[k])) throw new DecodeError("unknown_schema", `${k}: missing`);
  return doc as EnrichedEvent;
}

const MARKER = Buffer.from(',"device_metadata":');
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
/** Larger records (enrichment writes ~1.5 kB) take the full parse; the cut's scratch buffer stays this size. */
const MAX_CUT_BYTES = 16 * 1024;
/** Distinct block texts kept: a device type's change with every batch's `enriched_at`, so old ones go first. */
const MAX_TAILS = 256;

interface Tail {
  /** The text from the cut on, with `{` for its comma. */
  bytes: Uint8Array;
  blocks: Readonly<Enrichment>;
}

// Buffer's methods called on the record, not on a view of it: `subarray` or `.buffer` makes JavaScriptCore
// give bytes that have no ArrayBuffer object one (100,000 records of 1.4 kB: +24 MB RSS with `.buffer`).
const indexOf = Buffer.prototype.indexOf as (this: Uint8Array, v: Uint8Array) => number;
const copy = Buffer.prototype.copy as (
  this: Uint8Array,
  to: Uint8Array,
  at: number,
  from: number,
  end: number,
) => number;
const compare = Buffer.prototype.compare as (
  this: Uint8Array,
  to: Uint8Array,
  toStart: number,
  toEnd: number,
  from: number,
  end: number,
) => number;

export type EnrichedJsonDecoder = (value: Uint8Array) => EnrichedEvent;

export function createEnrichedJsonDecoder(maxTails = MAX_TAILS): EnrichedJsonDecoder {
  const tails = new Map<number, Tail>();
  const scratch = new Uint8Array(MAX_CUT_BYTES + 1);
  // A part that does not parse sends the record to the full parse, which reports it.
  const parseScratch = (n: number): unknown => {
    try {
      return parseJson(scratch.subarray(0, n));
    } catch {
      return undefined;
    }
  };

  /** The blocks of the record from the cut on, parsed when this text was not seen lately. */
  const blocksOf = (value: Uint8Array, cut: number): Readonly<Enrichment> | undefined => {
    // `{` in place of the leading comma: the blocks as an object of their own.
    scratch[0] = OPEN_BRACE;
    const n = copy.call(value, scratch, 1, cut + 1, value.byteLength) + 1;
    const text = scratch.subarray(0, n);
    const key = Bun.hash.crc32(text);
    const known = tails.get(key);
    if (known && known.bytes.byteLength === n && compare.call(scratch, known.bytes, 0, n, 0, n) === 0)
      return known.blocks;
    const doc = parseScratch(n);
    if (!isObject(doc)) return undefined;
    for (const k in doc) if (!ENRICHMENT_KEYS.has(k)) return undefined;
    for (const k of ENRICHMENT_KEYS) if (!isObject(doc[k])) return undefined;
    const blocks = deepFreeze(doc) as unknown as Enrichment;
    if (tails.size >= maxTails) tails.delete(tails.keys().next().value!);
    tails.set(key, { bytes: text.slice(), blocks });
    return blocks;
  };

  return (value) => {
    const cut = value.byteLength <= MAX_CUT_BYTES ? indexOf.call(value, MARKER) : -1;
    if (cut <= 0) return parseEnrichedJson(value);
    copy.call(value, scratch, 0, 0, cut);
    scratch[cut] = CLOSE_BRACE;
    const event = parseScratch(cut + 1);
    if (!isObject(event)) return parseEnrichedJson(value);
    try {
      // No enrichment key is allowed here: the blocks must all come from the tail, as in one parse.
      validateDeviceEvent(event);
    } catch {
      return parseEnrichedJson(value);
    }
    const blocks = blocksOf(value, cut);
    if (!blocks) return parseEnrichedJson(value);
    // In the tail's key order, as one parse of the record would have them.
    for (const k in blocks) event[k] = blocks[k as keyof Enrichment];
    return event as unknown as EnrichedEvent;
  };
}

/** Shared by every record with the same blocks, so nobody may change them. */
function deepFreeze<T>(v: T): T {
  if (typeof v === "object" && v !== null) {
    for (const k in v) deepFreeze(v[k]);
    Object.freeze(v);
  }
  return v;
}
