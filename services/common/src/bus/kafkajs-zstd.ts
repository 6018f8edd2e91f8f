/**
 * zstd for kafkajs, from node:zlib. kafkajs ships gzip only; without this codec a kafkajs consumer
 * cannot read a topic the @platformatic/kafka adapter compressed, and the two clients could not be
 * mixed (a dashboard on kafkajs reading what enrichment on platformatic wrote).
 *
 * Synchronous on purpose. kafkajs decodes a fetch response one record batch at a time, awaiting each
 * one's decompression before it reads the next, and its fetcher asks for more only once the response
 * is handled; node:zlib's asynchronous codec made every batch a round trip through the thread pool
 * (six partitions: at least six in a row per fetch, each waiting for a thread to be scheduled). A
 * batch is tens of KiB and takes tens of µs in line; the kafkajs reader of the latency bench spent
 * ~40 % less CPU per record this way (bench/experiments/latency-hops.ts, --reader kafkajs).
 */
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { CompressionCodecs, CompressionTypes } from "kafkajs";

/** Registers the codec in kafkajs's (process-wide) table; registering twice is harmless. */
export function registerKafkajsZstd() {
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: async (encoder: { buffer: Buffer }) => zstdCompressSync(encoder.buffer),
    decompress: async (buffer: Buffer) => zstdDecompressSync(buffer),
  });
}

export const KAFKAJS_COMPRESSION = {
  zstd: CompressionTypes.ZSTD,
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
} as const;
