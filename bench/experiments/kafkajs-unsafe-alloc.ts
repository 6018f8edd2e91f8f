/**
 * Experiment (not part of `bun run bench`): kafkajs' Encoder zero-fills every buffer it allocates
 * (`Buffer.alloc`: 512 bytes per record and per header, then doubled as it grows), although every
 * byte it hands on is written first. This preload swaps in `Buffer.allocUnsafe` for the Encoder only,
 * to measure what that costs. Children inherit BUN_OPTIONS, so the whole pipeline runs with it:
 *   BUN_OPTIONS="--preload ./bench/experiments/kafkajs-unsafe-alloc.ts" bun bench/pipeline.ts
 */
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const path = require.resolve("kafkajs/src/protocol/encoder");
const Encoder = require(path);

class UnsafeAllocEncoder extends Encoder {
  constructor(initialSize = 511) {
    super(0);
    this.buf = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(initialSize));
  }
  ensureAvailable(length: number) {
    if (this.offset + length > this.buf.length) {
      const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
      this.buf.copy(grown, 0, 0, this.offset);
      this.buf = grown;
    }
  }
}
require.cache[path]!.exports = UnsafeAllocEncoder;
