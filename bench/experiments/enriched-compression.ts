/**
 * Experiment (not part of `bun run bench`): what batch compression of `iot.enriched` costs per record,
 * producing and consuming, for each codec @platformatic/kafka offers and for zstd at other levels. The
 * records are the bench's realistic fleet through enrichment's own batch handler (JSON), cut into sends
 * as the bus cuts them (send-size.ts) and laid out as the client lays out a record batch's records
 * (its own createRecord), so the bytes compressed are the bytes the client compresses.
 * CPU time (process.cpuUsage), best of 5 passes.
 *   bun bench/experiments/enriched-compression.ts [--records 50000]
 */
import { parseArgs } from "node:util";
import zlib from "node:zlib";
import { sendEnd } from "@iot/common/bus/send-size";
import { createRecord } from "@platformatic/kafka";
import { lz4Compress, lz4Decompress, snappyCompress, snappyDecompress } from "@platformatic/wasm-utils";
import { enrichedBatches, rawIncoming } from "../lib/enrichment-inputs";
import { printTable, round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  // --per: records per partition batch (default: a send's records spread over 6 partitions).
  options: { records: { type: "string", default: "50000" }, per: { type: "string" } },
});
const raw = (await rawIncoming(Number(flags.records), ["json"])).get("json")!;
// The enriched records exactly as the service publishes them.
const enriched = (await enrichedBatches(raw, 500)).flat();

// One send's records, as one partition's record batch body (the client compresses that per partition;
// with 6 partitions a send's batch per partition is a sixth of the send).
const bodies: Buffer[] = [];
for (let start = 0; start < enriched.length; ) {
  const end = sendEnd(enriched, start);
  const per = flags.per ? Number(flags.per) : Math.ceil((end - start) / 6);
  for (let p = start; p < end; p += per) {
    const parts = enriched.slice(p, Math.min(p + per, end)).map((r, i) => {
      const headers = new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)]));
      const message = { topic: "t", key: Buffer.from(r.key ?? ""), value: Buffer.from(r.value), headers };
      return createRecord({ ...message, timestamp: 0n } as never, i, 0n).buffer;
    });
    bodies.push(Buffer.concat(parts));
  }
  start = end;
}

const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
function perRecord(fn: (b: Buffer, i: number) => unknown): number {
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const t0 = cpuUs();
    bodies.forEach(fn);
    best = Math.min(best, (cpuUs() - t0) / enriched.length);
  }
  return round(best, 2);
}

const zstd = (level: number, tables: Record<number, number> = {}) => ({
  compress: (b: Buffer) =>
    zlib.zstdCompressSync(b, { params: { [zlib.constants.ZSTD_c_compressionLevel]: level, ...tables } }),
  decompress: (b: Buffer) => zlib.zstdDecompressSync(b),
});
const codecs: Record<string, { compress: (b: Buffer) => Buffer; decompress: (b: Buffer) => Buffer }> = {
  "zstd (default, 3)": { compress: (b) => zlib.zstdCompressSync(b), decompress: (b) => zlib.zstdDecompressSync(b) },
  "zstd 1": zstd(1),
  "zstd 1, window 2^17": zstd(1, { [zlib.constants.ZSTD_c_windowLog]: 17 }),
  "zstd 1, hash 2^14": zstd(1, { [zlib.constants.ZSTD_c_hashLog]: 14 }),
  "zstd -1": zstd(-1),
  "zstd -5": zstd(-5),
  "lz4 (wasm)": { compress: (b) => lz4Compress(b), decompress: (b) => lz4Decompress(b) },
  "snappy (wasm)": { compress: (b) => snappyCompress(b), decompress: (b) => snappyDecompress(b) },
  "gzip (default)": { compress: (b) => zlib.gzipSync(b), decompress: (b) => zlib.gunzipSync(b) },
  "gzip 1": { compress: (b) => zlib.gzipSync(b, { level: 1 }), decompress: (b) => zlib.gunzipSync(b) },
};
const rows = Object.entries(codecs).map(([codec, c]) => {
  const compressed = bodies.map((b) => c.compress(b));
  return {
    codec,
    compress_us: perRecord((b) => c.compress(b)),
    decompress_us: perRecord((_, i) => c.decompress(compressed[i]!)),
    bytes_per_record: round(compressed.reduce((n, b) => n + b.byteLength, 0) / enriched.length, 1),
  };
});
const plain = bodies.reduce((n, b) => n + b.byteLength, 0) / enriched.length;
printTable(
  `Compressing iot.enriched (JSON): CPU µs per record, ${enriched.length} records in ${bodies.length} partition batches of ~${Math.round(enriched.length / bodies.length)} (${round(plain, 0)} B a record uncompressed)`,
  rows,
);
