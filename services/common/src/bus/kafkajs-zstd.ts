/**
 * zstd for kafkajs, from node:zlib. kafkajs ships gzip only; without this codec a kafkajs consumer
 * cannot read a topic the @platformatic/kafka adapter compressed, and the two clients could not be
 * mixed (a dashboard on kafkajs reading what enrichment on platformatic wrote).
 */
import { promisify } from "node:util";
import { zstdCompress, zstdDecompress } from "node:zlib";
import { CompressionCodecs, CompressionTypes } from "kafkajs";

const compress = promisify(zstdCompress);
const decompress = promisify(zstdDecompress);

/** Registers the codec in kafkajs's (process-wide) table; registering twice is harmless. */
export function registerKafkajsZstd() {
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: (encoder: { buffer: Buffer }) => compress(encoder.buffer),
    decompress: (buffer: Buffer) => decompress(buffer),
  });
}

export const KAFKAJS_COMPRESSION = {
  zstd: CompressionTypes.ZSTD,
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
} as const;
