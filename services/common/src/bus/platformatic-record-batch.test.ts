/**
 * The patched @platformatic/kafka (patches/) writes a batch's records into one Buffer instead of
 * joining the client's own per-record writer output; the broker and every reader see those bytes, so
 * they must be the bytes the client's createRecord writes, record for record.
 */
import { expect, test } from "bun:test";
import { createRecord, createRecordsBatch } from "@platformatic/kafka";

/** A record batch's header (base offset … record count) before its records, uncompressed. */
const BATCH_HEADER_BYTES = 61;

interface Message {
  topic: string;
  partition: number;
  key?: Buffer;
  value?: Buffer;
  headers?: Map<Buffer, Buffer | undefined>;
  timestamp?: bigint;
}

function recordsOf(messages: Message[]): { patched: Buffer; reference: Buffer } {
  const sent = messages.map((m) => ({ ...m }));
  const patched = createRecordsBatch(sent as never).buffer.subarray(BATCH_HEADER_BYTES);
  const first = sent[0]!.timestamp!; // createRecordsBatch fills in missing timestamps
  const reference = Buffer.concat(sent.map((m, i) => createRecord(m as never, i, first).buffer));
  return { patched, reference };
}

// A fixed-seed generator, so a failure reproduces.
let seed = 18;
const next = (n: number) => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
  return seed % n;
};
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => next(256)));

test("records are written as the client's createRecord writes them: keys, values and headers of every size, absent or empty", () => {
  const base = 1_764_480_000_000n;
  for (let batch = 0; batch < 100; batch++) {
    const messages: Message[] = Array.from({ length: 1 + next(40) }, () => {
      const headers = new Map<Buffer, Buffer | undefined>();
      for (let h = next(6); h > 0; h--) headers.set(bytes(next(20)), next(8) === 0 ? undefined : bytes(next(300)));
      return {
        topic: "t",
        partition: 0,
        key: next(5) === 0 ? undefined : bytes(next(40)),
        value: next(15) === 0 ? undefined : bytes([0, 1, 63, 64, 127, 128, 8_191, 8_192, 20_000][next(9)]!),
        headers: next(15) === 0 ? undefined : headers,
        // Deltas across the int32 range, before and after the first record's time.
        timestamp: next(4) === 0 ? undefined : base + BigInt(next(2 ** 31)) - 2n ** 30n,
      };
    });
    const { patched, reference } = recordsOf(messages);
    expect(patched.equals(reference)).toBe(true);
  }
});

test("a batch the one-Buffer writer cannot size (a timestamp delta beyond int32) takes the client's own path", () => {
  const m = (timestamp: bigint): Message => ({ topic: "t", partition: 0, key: bytes(4), value: bytes(10), timestamp });
  const { patched, reference } = recordsOf([m(1_000n), m(1_000n + 2n ** 33n)]);
  expect(patched.equals(reference)).toBe(true);
});
