import { expect, test } from "bun:test";
import type { OutgoingRecord } from "../bus";
import { MAX_SEND_BYTES, recordBytes, sendEnd } from "./send-size";

const rec = (valueBytes: number, headers: Record<string, string> = {}): OutgoingRecord => ({
  key: "dev-1",
  value: new Uint8Array(valueBytes),
  headers,
});

test("a record weighs its value, key, headers and framing", () => {
  expect(recordBytes(rec(100, { reason: "x".repeat(600) })) - recordBytes(rec(100))).toBe("reason".length + 600 + 2);
  expect(recordBytes(rec(1_000)) - recordBytes(rec(0))).toBe(1_000);
});

test("sends are cut by whole record size, never over the cap, and cover every record in order", () => {
  // Small values with large headers: a cut by value size alone would send ~3 MB at once.
  const records = Array.from({ length: 5_000 }, () => rec(8, { reason: "x".repeat(600) }));
  const sends: number[] = [];
  for (let start = 0; start < records.length; ) {
    const end = sendEnd(records, start);
    expect(records.slice(start, end).reduce((n, r) => n + recordBytes(r), 0)).toBeLessThanOrEqual(MAX_SEND_BYTES);
    sends.push(end - start);
    start = end;
  }
  expect(sends.reduce((a, b) => a + b, 0)).toBe(5_000);
  expect(sends.length).toBeGreaterThan(5);
});

test("a record larger than the cap still goes, alone", () => {
  const records = [rec(MAX_SEND_BYTES * 2), rec(10)];
  expect(sendEnd(records, 0)).toBe(1);
  expect(sendEnd(records, 1)).toBe(2);
});
