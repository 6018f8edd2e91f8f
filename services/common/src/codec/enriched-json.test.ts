/**
 * The cut decoder against the full parse: the same result (object and key order) or the same
 * DecodeError, for what enrichment writes and for records it would never write.
 */
import { describe, expect, test } from "bun:test";
import type { DeviceEvent, EnrichedEvent, Enrichment } from "../telemetry";
import { DecodeError } from "./decode-error";
import { createEnrichedEncoder } from "./enriched-encoder";
import { createEnrichedJsonDecoder, parseEnrichedJson } from "./enriched-json";

const utf8 = new TextEncoder();
const text = (v: Uint8Array) => new TextDecoder().decode(v);

const telemetry = (id: string, measurements: Record<string, Record<string, unknown>>): DeviceEvent =>
  ({
    device_id: id,
    device_type: "smart_breaker",
    timestamp: "2026-01-01T00:00:00.000001Z",
    event_type: "telemetry",
    measurements,
  }) as DeviceEvent;
const trends: DeviceEvent = {
  device_id: "breaker-9",
  device_type: "smart_breaker",
  timestamp: "2026-01-01T00:05:00.000000Z",
  event_type: "trends",
  trends: [{ c: "voltage_phase_a", v: 117.2, avg: 117, min: 116.5, max: 118, t: 1767225900 }],
};

const enrichment = (over: Partial<Enrichment> = {}): Enrichment => ({
  device_metadata: {
    device_type: "smart_breaker",
    device_type_name: "Smart Circuit Breaker",
    device_type_description: "Breaker",
    device_category: "power",
    capabilities: ["voltage_monitoring", "remote_trip"],
    data_format: "json",
    update_frequency: "5_seconds",
    retention_policy: "90_days",
  },
  application_registry: {
    device_type: "smart_breaker",
    registered_applications_count: 1,
    applications: [
      { id: "a1", name: 'Grid "ops"', developer: "Dev", platform: "web", category: "energy", status: "active" },
    ],
  },
  enrichment_info: {
    enriched_at: "2026-01-01T00:00:01.000000Z",
    enrichment_service: "enrichment",
    enrichment_version: "1",
    device_type_detected: "smart_breaker",
    app_registry_integration: true,
  },
  data_quality: { out_of_range: [], missing_groups: [] },
  ...over,
});

type Outcome = { json: string; event: unknown } | { reason: string; message: string };
function outcome(decode: () => EnrichedEvent): Outcome {
  try {
    const event = decode();
    return { json: JSON.stringify(event), event };
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    return { reason: e.reason, message: e.message };
  }
}

/** Decoded twice by one decoder (its blocks unknown, then known) and once in full: all three agree. */
function expectAgreement(decoder: ReturnType<typeof createEnrichedJsonDecoder>, value: Uint8Array): Outcome {
  const full = outcome(() => parseEnrichedJson(value));
  expect(outcome(() => decoder(value))).toEqual(full);
  expect(outcome(() => decoder(value))).toEqual(full);
  return full;
}

const encode = createEnrichedEncoder("json");
const records = [
  encode(
    telemetry("breaker-1", { voltage: { phase_a: 117.27, unit: "V" }, frequency: { value: 61.4, unit: "Hz" } }),
    enrichment(),
  ),
  encode(
    telemetry("breaker-2", { voltage: { phase_a: 300, unit: "V" } }),
    enrichment({
      data_quality: {
        out_of_range: [{ field: "voltage.phase_a", value: 300, max: 250 }],
        missing_groups: ["frequency"],
      },
    }),
  ),
  encode(trends, enrichment()),
  encode(telemetry("breaker-3", { t: { value: '°C ✓ \\ " ,"device_metadata":' } }), enrichment()),
  encode(
    telemetry("breaker-4", {}),
    enrichment({
      application_registry: { device_type: "smart_breaker", registered_applications_count: 0, applications: [] },
    }),
  ),
].map((r) => r.value);

describe("enriched JSON cut at its blocks", () => {
  test("what enrichment writes decodes as in one parse, its blocks shared and frozen", () => {
    const decode = createEnrichedJsonDecoder();
    for (const value of records) expect("json" in expectAgreement(decode, value)).toBe(true);
    const [a, b] = [decode(records[0]!), decode(records[3]!)];
    expect(a.device_metadata).toBe(b.device_metadata); // one parse of the blocks for both
    expect(a.device_metadata).not.toBe(decode(records[1]!).device_metadata); // other blocks, other text
    expect(Object.isFrozen(a.application_registry.applications[0])).toBe(true);
    expect(() => {
      (a.device_metadata.capabilities as string[]).push("x");
    }).toThrow(TypeError);
  });

  test("blocks of the same length that differ by a byte are parsed, not taken from another record", () => {
    const decode = createEnrichedJsonDecoder();
    const one = encode(trends, enrichment()).value;
    const other = utf8.encode(text(one).replace('"enrichment_version":"1"', '"enrichment_version":"2"'));
    expect(other.byteLength).toBe(one.byteLength);
    expect(decode(one).enrichment_info.enrichment_version).toBe("1");
    expect(decode(other).enrichment_info.enrichment_version).toBe("2");
    expect(decode(one).enrichment_info.enrichment_version).toBe("1");
  });

  test("blocks with the same CRC-32 as blocks seen are told apart byte for byte", () => {
    const decode = createEnrichedJsonDecoder();
    const t = text(records[0]!);
    const cut = t.indexOf(',"device_metadata":');
    const blocks = utf8.encode(`{${t.slice(cut + 1)}`); // what the decoder hashes
    const twin = crcTwin(blocks, text(blocks).indexOf("Breaker"));
    expect(Bun.hash.crc32(twin)).toBe(Bun.hash.crc32(blocks));
    const other = utf8.encode(`${t.slice(0, cut)},${text(twin).slice(1)}`);
    expect(decode(records[0]!).device_metadata.device_type_description).toBe("Breaker");
    expect(outcome(() => decode(other))).toEqual(outcome(() => parseEnrichedJson(other)));
    expect(decode(other).device_metadata.device_type_description).not.toBe("Breaker");
  });

  test("a decoder keeps at most the blocks it was told to, and still decodes the ones it forgot", () => {
    const decode = createEnrichedJsonDecoder(1);
    for (let round = 0; round < 2; round++) for (const value of records) expectAgreement(decode, value);
  });

  test("every truncation of a record fails as the full parse does, also after the whole was seen", () => {
    const decode = createEnrichedJsonDecoder();
    for (const value of records.slice(0, 3)) {
      decode(value);
      for (let n = 0; n < value.byteLength; n++)
        expect("reason" in expectAgreement(decode, value.subarray(0, n))).toBe(true);
    }
  });

  const [head, tail] = (() => {
    const t = text(records[0]!);
    const cut = t.indexOf(',"device_metadata":');
    return [t.slice(0, cut), t.slice(cut)] as const;
  })();
  const blocks = JSON.parse(`{${tail.slice(1)}`) as Record<string, unknown>;
  const event = JSON.parse(`${head}}`) as Record<string, unknown>;
  const odd: Record<string, string> = {
    "pretty-printed": JSON.stringify({ ...event, ...blocks }, null, 2),
    "spaces around the marker": `${head} , "device_metadata" : ${tail.slice(19)}`,
    "space before the marker": `${head} ${tail}`,
    "trailing whitespace": `${head}${tail}\n \t`,
    "a byte order mark": `\uFEFF${head}${tail}`,
    "blocks first": JSON.stringify({ ...blocks, ...event }),
    "device_metadata before the measurements": JSON.stringify({
      device_id: event.device_id,
      device_metadata: blocks.device_metadata,
      ...event,
      ...blocks,
    }),
    "another block before the marker": JSON.stringify({ ...event, data_quality: blocks.data_quality, ...blocks }),
    "a measurement group named device_metadata": JSON.stringify({
      ...event,
      measurements: { v: { a: 1 }, device_metadata: { b: 2 } },
      ...blocks,
    }),
    "a measurement field named device_metadata": JSON.stringify({
      ...event,
      measurements: { v: { a: 1, device_metadata: 2 } },
      ...blocks,
    }),
    "a group named device_metadata alone": JSON.stringify({
      ...event,
      measurements: { device_metadata: { b: 2 } },
      ...blocks,
    }),
    "the marker in a string value": JSON.stringify({
      ...event,
      measurements: { v: { s: ',"device_metadata":{' } },
      ...blocks,
    }),
    "an event field after the blocks": `${head}${tail.slice(0, -1)},"measurements":{"late":{"x":1}}}`,
    "the device id after the blocks": `${head}${tail.slice(0, -1)},"device_id":"late"}`,
    "an unknown field after the blocks": `${head}${tail.slice(0, -1)},"extra":1}`,
    "a block twice": `${head}${tail.slice(0, -1)},"device_metadata":{"device_type":"x"}}`,
    "a block that is not an object": `${head},"device_metadata":[]${tail.slice(tail.indexOf(',"application_registry"'))}`,
    "a block missing": `${head}${tail.slice(0, tail.indexOf(',"data_quality"'))}}`,
    "a trailing comma before the marker": `${head},${tail}`,
    "nothing but the blocks": `{${tail.slice(1)}`,
    "an event that does not validate": `${head.replace('"device_id":"breaker-1"', '"device_id":7')}${tail}`,
    "text after the record": `${head}${tail}x`,
    "a second record after it": `${head}${tail}${head}${tail}`,
    "an array": `[${head}${tail}]`,
  };
  for (const [name, json] of Object.entries(odd)) {
    test(`${name}: as the full parse`, () => {
      const decode = createEnrichedJsonDecoder();
      decode(records[0]!); // the usual blocks are known
      expectAgreement(decode, utf8.encode(json));
    });
  }

  test("bytes that are not UTF-8 in the event or in the blocks", () => {
    const decode = createEnrichedJsonDecoder();
    const value = records[0]!;
    const cut = text(value).indexOf(',"device_metadata":');
    for (const at of [cut - 3, cut + 25]) {
      const bad = new Uint8Array(value);
      bad[at] = 0xff;
      const o = expectAgreement(decode, bad);
      expect(o).toMatchObject({ reason: "malformed" });
    }
  });

  test("a record larger than the cut's buffer takes the full parse", () => {
    const decode = createEnrichedJsonDecoder();
    const big = encode(telemetry("breaker-big", { v: { s: "x".repeat(20_000) } }), enrichment()).value;
    const o = expectAgreement(decode, big);
    expect("json" in o && (o.event as EnrichedEvent).device_metadata).not.toBe(decode(records[0]!).device_metadata);
  });
});

/**
 * The same bytes with low bits of letters from `from` on flipped so that the CRC-32 stays the same
 * (for texts of one length CRC-32 is linear in the flipped bits: a combination of 48 flips whose
 * effects cancel is found by elimination). Letters stay printable, so JSON strings stay valid.
 */
function crcTwin(bytes: Uint8Array, from: number): Uint8Array {
  const base = Bun.hash.crc32(bytes);
  const flips: Array<[number, number]> = [];
  for (let i = from; flips.length < 48; i++)
    if (bytes[i]! >= 0x61 && bytes[i]! <= 0x7a) for (let bit = 0; bit < 4; bit++) flips.push([i, 1 << bit]);
  const effect = ([i, mask]: [number, number]) => {
    const b = new Uint8Array(bytes);
    b[i]! ^= mask;
    return (Bun.hash.crc32(b) ^ base) >>> 0;
  };
  const basis: Array<{ pivot: number; value: number; combo: bigint }> = [];
  for (let j = 0; j < flips.length; j++) {
    let value = effect(flips[j]!);
    let combo = 1n << BigInt(j);
    for (const b of basis)
      if (value & b.pivot) {
        value = (value ^ b.value) >>> 0;
        combo ^= b.combo;
      }
    if (value === 0) {
      const out = new Uint8Array(bytes);
      flips.forEach(([i, mask], k) => {
        if ((combo >> BigInt(k)) & 1n) out[i]! ^= mask;
      });
      return out;
    }
    basis.push({ pivot: value & -value, value, combo });
  }
  throw new Error("no twin found");
}
