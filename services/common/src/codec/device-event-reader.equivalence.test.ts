/**
 * The schema-specific reader against the path it replaces (deviceEventFromProto(fromBinary(…))), on
 * thousands of random events and mutations of their encodings: the same event, keys in the same
 * order, or a DecodeError with the same reason. Seeded: a failure names the seed that finds it again.
 */
import { describe, expect, test } from "bun:test";
import { DecodeError, decodeDeviceEvent } from "../codec";
import { CONTENT_TYPE, HEADER, MESSAGE_TYPE } from "../wire";
import { encoded, mutate, randomEvent, randomStream } from "./device-event-inputs.test-support";
import { readDeviceEvent } from "./device-event-reader";
import { deviceEventFromBinary } from "./proto";

const HEADERS = { [HEADER.contentType]: CONTENT_TYPE.protobuf, [HEADER.messageType]: MESSAGE_TYPE.device };

type Outcome = { value: unknown } | { reason: string };
function outcome(decode: () => unknown): Outcome {
  try {
    return { value: decode() };
  } catch (e) {
    if (e instanceof DecodeError) return { reason: e.reason };
    throw e; // anything else is a crash, which neither path may do
  }
}

/** Keys with their order, all the way down (toEqual does not look at key order). */
const keyOrder = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(keyOrder)
    : v !== null && typeof v === "object"
      ? Object.entries(v).map(([k, x]) => [k, keyOrder(x)])
      : typeof v;

function expectSame(bytes: Uint8Array, seed: number) {
  const before = outcome(() => deviceEventFromBinary(bytes));
  const now = outcome(() => decodeDeviceEvent(bytes, HEADERS));
  const where = `seed ${seed}, bytes ${Buffer.from(bytes).toString("hex")}`;
  if ("reason" in before) {
    expect({ where, ...now }).toEqual({ where, reason: before.reason });
    return;
  }
  expect({ where, ...now }).toEqual({ where, value: before.value });
  expect(keyOrder((now as { value: unknown }).value)).toEqual(keyOrder(before.value));
}

describe("the reader agrees with fromBinary + deviceEventFromProto", () => {
  test("on random events, unchanged", () => {
    let fast = 0;
    for (let seed = 1; seed <= 3000; seed++) {
      const bytes = encoded(randomEvent(randomStream(seed)));
      expectSame(bytes, seed);
      if (readDeviceEventOutcome(bytes) === "fast") fast++;
    }
    // Most random events are typed (the rest need `generic`); the fast path must be the one tested.
    expect(fast).toBeGreaterThan(2000);
  });

  test("on random events mutated in structure and bytes", () => {
    const seen = { fast: 0, fallback: 0, error: 0 };
    for (let seed = 1; seed <= 20000; seed++) {
      const rng = randomStream(seed);
      const bytes = mutate(rng, encoded(randomEvent(rng)), encoded(randomEvent(rng)));
      expectSame(bytes, seed);
      seen[readDeviceEventOutcome(bytes)]++;
    }
    // Every outcome happens often enough for the comparison to mean something.
    expect(seen.fast).toBeGreaterThan(5000);
    expect(seen.error).toBeGreaterThan(2000);
    expect(seen.fallback).toBeGreaterThan(500);
  });
});

function readDeviceEventOutcome(bytes: Uint8Array): "fast" | "fallback" | "error" {
  try {
    return readDeviceEvent(bytes) === undefined ? "fallback" : "fast";
  } catch {
    return "error";
  }
}
