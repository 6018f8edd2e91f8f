/**
 * Record buffers carved out of shared slabs. A Buffer of its own per enriched record cost more CPU
 * than encoding it (the profile put `Buffer.allocUnsafe` at ~4 µs a record under load: every
 * ArrayBuffer is a heap object the collector tracks); one slab serves ~150 records. A slab lives
 * while any record cut from it does, which for the pipeline is until the batch is published.
 */
const SLAB_BYTES = 256 * 1024;

export type Allocate = (bytes: number) => Buffer;

export function createSlabAllocator(slabBytes = SLAB_BYTES): Allocate {
  let slab = Buffer.allocUnsafe(0);
  let at = 0;
  return (bytes) => {
    // A record too big to share a slab gets its own buffer rather than wasting most of one.
    if (bytes > slabBytes >>> 2) return Buffer.allocUnsafe(bytes);
    if (at + bytes > slab.byteLength) [slab, at] = [Buffer.allocUnsafe(slabBytes), 0];
    const out = slab.subarray(at, at + bytes);
    at += bytes;
    return out;
  };
}
