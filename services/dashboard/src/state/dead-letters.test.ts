import { expect, test } from "bun:test";
import type { IncomingRecord } from "@iot/common/bus";
import { createDeadLetterStore, PREVIEW_BYTES, previewBytes } from "./dead-letters";

const enc = new TextEncoder();
const record = (offset: number, value: Uint8Array, headers: Record<string, string>): IncomingRecord => ({
  topic: "iot.dlq",
  partition: 0,
  offset: String(offset),
  key: "dev-1",
  value,
  headers,
  timestamp: 1_755_625_237_000,
});

test("keeps the reason, message, source position and time from the headers", () => {
  const store = createDeadLetterStore(10);
  store.add([
    record(7, enc.encode("{not json"), {
      "dlq-reason": "malformed",
      "dlq-error": "not valid UTF-8 JSON",
      "dlq-source-topic": "iot.raw",
      "dlq-source-partition": "3",
      "dlq-source-offset": "42",
      "dlq-time": "2025-08-19T17:40:37.594176Z",
    }),
  ]);
  const [d] = store.newest();
  expect(d).toMatchObject({
    reason: "malformed",
    error: "not valid UTF-8 JSON",
    source: { topic: "iot.raw", partition: "3", offset: "42" },
    time: "2025-08-19T17:40:37.594176Z",
    size: 9,
    preview: { kind: "text", text: "{not json", truncated: false },
  });
  expect(d!.position).toMatchObject({ topic: "iot.dlq", partition: 0, offset: "7" });
});

test("counts every record by reason but keeps only the newest", () => {
  const store = createDeadLetterStore(2);
  store.add([1, 2, 3].map((i) => record(i, enc.encode("x"), { "dlq-reason": i === 2 ? "oversize" : "malformed" })));
  store.add([record(4, enc.encode("x"), {})]);
  expect(store.newest().map((d) => d.position.offset)).toEqual(["4", "3"]);
  expect(store.counts()).toEqual([
    ["malformed", 2],
    ["oversize", 1],
    ["unknown", 1],
  ]);
});

test("previews show invisible characters, truncate long values and print protobuf as hex", () => {
  expect(previewBytes(enc.encode("a\u0000b\u202ec\n")).text).toBe("a\\u{0}b\\u{202e}c\\u{a}");
  const long = previewBytes(enc.encode("x".repeat(PREVIEW_BYTES + 10)));
  expect(long).toEqual({ kind: "text", text: "x".repeat(PREVIEW_BYTES), truncated: true });
  expect(previewBytes(new Uint8Array([0x0a, 0xff]), "application/x-protobuf")).toEqual({
    kind: "hex",
    text: "0a ff",
    truncated: false,
  });
});
