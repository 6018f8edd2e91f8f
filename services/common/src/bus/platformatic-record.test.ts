import { expect, test } from "bun:test";
import { createRecordReader } from "./platformatic-record";

type Read = ReturnType<typeof createRecordReader>;
type Msg = Parameters<Read>[0];

const message = (headers: Array<[string, string]>, offset = 7n): Msg =>
  ({
    topic: "iot.raw",
    partition: 3,
    offset,
    key: Buffer.from("breaker-000001"),
    value: Buffer.from('{"a":1}'),
    headerEntries: headers.map(([k, v]) => [Buffer.from(k), Buffer.from(v)]),
    timestamp: 1_764_480_000_123n,
  }) as unknown as Msg;

test("a message becomes the bus's record: text key and headers, offset as text, time in ms", () => {
  const record = createRecordReader()(message([["content-type", "application/json"]], 2n ** 40n));
  expect(record).toEqual({
    topic: "iot.raw",
    partition: 3,
    offset: "1099511627776",
    key: "breaker-000001",
    value: Buffer.from('{"a":1}'),
    headers: { "content-type": "application/json" },
    timestamp: 1_764_480_000_123,
  });
});

test("remembered header names and values give the same headers as decoding every time, whatever the order, text or count", () => {
  const read = createRecordReader();
  const seen: Array<Record<string, string>> = [];
  const expected: Array<Record<string, string>> = [];
  for (let i = 0; i < 200; i++) {
    const headers: Array<[string, string]> = [
      ["content-type", i % 50 === 49 ? "application/x-protobuf" : "application/json"],
      ["message-id", `iot.raw/0/${i}`],
      ["transport", i % 3 === 0 ? "mqtt" : "http"],
      ["appareil-été", "ünïcode ✓"],
    ];
    // Other orders, and more names than are remembered.
    if (i % 7 === 0) headers.reverse();
    if (i % 11 === 0) for (let n = 0; n < 30; n++) headers.push([`x-extra-${i}-${n}`, String(n)]);
    seen.push(read(message(headers)).headers);
    expected.push(Object.fromEntries(headers));
  }
  expect(seen).toEqual(expected);
});

test("a remembered value is not tied to the fetch's bytes: a later change to those bytes does not change it", () => {
  const read = createRecordReader();
  const first = message([["content-type", "application/json"]]);
  read(first);
  const [, bytes] = (first as unknown as { headerEntries: Buffer[][] }).headerEntries[0]!;
  bytes!.write("APPLICATION");
  expect(read(message([["content-type", "application/json"]])).headers["content-type"]).toBe("application/json");
});

test("a header with a null value reads as empty text, one with a null name is left out, instead of failing the batch", () => {
  const m = message([["content-type", "application/json"]]);
  const entries = (m as unknown as { headerEntries: Array<[Buffer | null, Buffer | null]> }).headerEntries;
  entries.push([Buffer.from("trace"), null], [null, Buffer.from("x")]);
  expect(createRecordReader()(m).headers).toEqual({ "content-type": "application/json", trace: "" });
});
