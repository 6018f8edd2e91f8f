/**
 * The patched @platformatic/kafka (patches/) writes a batch's records into one Buffer instead of
 * joining the client's own per-record writer output; the broker and every reader see those bytes, so
 * they must be the bytes the client's createRecord writes, record for record. It also reads a batch's
 * records with its own cursor, so those must be the records the client's readRecord reads.
 */
import { zstdDecompressSync } from "node:zlib";
import { DynamicBuffer } from "@platformatic/dynamic-buffer";
import {
  compressionsAlgorithms,
  createRecord,
  createRecordsBatch,
  jsCRC32C,
  Reader,
  readRecord,
  readRecordsBatch,
} from "@platformatic/kafka";
import { expect, test } from "bun:test";

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

function randomMessages(base: bigint): Message[] {
  return Array.from({ length: 1 + next(40) }, () => {
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
}

test("records are written as the client's createRecord writes them: keys, values and headers of every size, absent or empty", () => {
  const base = 1_764_480_000_000n;
  for (let batch = 0; batch < 100; batch++) {
    const { patched, reference } = recordsOf(randomMessages(base));
    expect(patched.equals(reference)).toBe(true);
  }
});

test("a batch the one-Buffer writer cannot size (a timestamp delta beyond int32) takes the client's own path", () => {
  const m = (timestamp: bigint): Message => ({ topic: "t", partition: 0, key: bytes(4), value: bytes(10), timestamp });
  const { patched, reference } = recordsOf([m(1_000n), m(1_000n + 2n ** 33n)]);
  expect(patched.equals(reference)).toBe(true);
});

/** The records of a batch as the client's own readRecord reads them, one by one from a Reader. */
function referenceRecords(batch: Buffer, decompress: (b: Buffer) => Buffer) {
  const count = batch.readInt32BE(BATCH_HEADER_BYTES - 4);
  const reader = Reader.from(decompress(batch.subarray(BATCH_HEADER_BYTES)));
  return Array.from({ length: count }, () => readRecord(reader));
}

/** Every codec the client reads; zstd's reference is node:zlib, since the patch decompresses it with Bun's own. */
const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const;
const referenceDecompress = (codec: (typeof CODECS)[number]) => (b: Buffer) =>
  codec === "zstd" ? zstdDecompressSync(b) : codec === "none" ? b : compressionsAlgorithms[codec].decompressSync(b);

test("a batch's records are read as the client's readRecord reads them, with every codec, from one Buffer or several", () => {
  for (let batch = 0; batch < 60; batch++) {
    const codec = CODECS[batch % CODECS.length]!;
    const written = createRecordsBatch(
      randomMessages(1_764_480_000_000n) as never,
      {
        compression: codec,
      } as never,
    ).buffer;
    const expected = referenceRecords(written, referenceDecompress(codec));
    // A fetch arrives in socket reads: the batch split across several Buffers must read the same.
    const cut = 1 + next(written.length - 1);
    const split = new DynamicBuffer([written.subarray(0, cut), written.subarray(cut)]);
    for (const input of [written, split]) {
      const read = readRecordsBatch(Reader.from(input as never));
      expect(read.records).toEqual(expected);
    }
  }
});

test("compressed batches made one after another keep their own records and checksums (the records' scratch Buffer is reused)", () => {
  const base = 1_764_480_000_000n;
  for (const codec of ["zstd", "gzip", "lz4"] as const) {
    const made = Array.from({ length: 20 }, () => {
      const messages = randomMessages(base).map((m) => ({ ...m, timestamp: m.timestamp ?? base }));
      const { reference } = recordsOf(messages);
      const written = createRecordsBatch(messages as never, { compression: codec } as never).buffer;
      return { written: Buffer.from(written), reference };
    });
    for (const { written, reference } of made) {
      expect(Buffer.from(referenceDecompress(codec)(written.subarray(BATCH_HEADER_BYTES))).equals(reference)).toBe(
        true,
      );
      // The CRC32C covers the batch from its attributes (offset 21) to its end; the client's plain-JS one is the reference.
      expect(written.readUInt32BE(17)).toBe(jsCRC32C(written.subarray(21)));
    }
  }
});

test("timestamp deltas of up to 64 bits are read as the client's readRecord reads them (past 49 bits in BigInt)", () => {
  // The client's writer does not round-trip deltas beyond int32 (its 64-bit zigzag); what matters
  // here is that the varints it wrote, up to nine bytes, read back as its own reader reads them.
  const deltas = [0n, -1n, 2n ** 31n, -(2n ** 40n), 2n ** 48n - 1n, 2n ** 48n, -(2n ** 48n), 2n ** 55n, -(2n ** 62n)];
  const messages: Message[] = deltas.map((d) => ({ topic: "t", partition: 0, value: bytes(3), timestamp: 1_000n + d }));
  const written = createRecordsBatch(messages as never).buffer;
  expect(readRecordsBatch(Reader.from(written as never)).records).toEqual(referenceRecords(written, (b) => b));
});

test("a batch whose records run past its end fails to read instead of reading past it", () => {
  const written = Buffer.from(createRecordsBatch([{ topic: "t", partition: 0, value: bytes(100) }] as never).buffer);
  written.writeInt32BE(written.readInt32BE(8) - 20, 8); // the batch's length, shortened
  expect(() => readRecordsBatch(Reader.from(written.subarray(0, written.length - 20) as never))).toThrow();
});
