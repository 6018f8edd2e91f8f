/**
 * Record buffers carved out of shared slabs. A Buffer of its own per enriched JSON record showed as
 * `Buffer.allocUnsafe` at ~4 µs a record in a loaded profile (each is an ArrayBuffer the collector
 * tracks); one 64 KiB slab serves ~35 records. Kept small: with 256 KiB slabs the profile moved much
 * of that cost into the first writes to each fresh slab. A slab lives while any record cut from it
 * does: for the pipeline, until the batch is published.
 */
const SLAB_BYTES = 64 * 1024;

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
