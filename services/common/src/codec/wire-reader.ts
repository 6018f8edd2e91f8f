/**
 * The protobuf wire primitives device-event-reader.ts needs, with exactly the results and the errors of
 * protobuf-es 2.17's BinaryReader (wire/binary-encoding.js, wire/varint.js) for the same bytes, and
 * without its per-record costs: no DataView per buffer, no array per tag, no array per short string,
 * and short strings seen before come from a small cache instead of being decoded again. The
 * equivalence tests (device-event-reader*.test.ts) hold it to the library on random and mutated input.
 */

/** Wire types that `skip` can meet (protobuf-es's WireType). */
const VARINT = 0;
const BIT64 = 1;
const LENGTH_DELIMITED = 2;
const START_GROUP = 3;
const END_GROUP = 4;
const BIT32 = 5;

// Fixed-width values are copied here and read through one DataView made at start-up.
const scratch = new DataView(new ArrayBuffer(8));
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }); // as protobuf-es's strict decoder

export class WireReader {
  pos = 0;
  readonly len: number;
  constructor(readonly buf: Uint8Array) {
    this.len = buf.length;
  }

  /** The tag (field number << 3 | wire type), validated as protobuf-es's tag() does. */
  tag(): number {
    const start = this.pos;
    const tag = this.uint32();
    const bytesRead = this.pos - start;
    if (bytesRead > 5 || (bytesRead === 5 && this.buf[this.pos - 1]! > 0x0f))
      throw new Error("illegal tag: varint overflows uint32");
    const fieldNo = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNo <= 0 || wireType > 5) throw new Error(`illegal tag: field no ${fieldNo} wire type ${wireType}`);
    return tag;
  }

  /** Skips one value of `wireType`; nested groups deeper than `recursionLimit` are refused. */
  skip(wireType: number, fieldNo: number, recursionLimit: number): void {
    switch (wireType) {
      case VARINT:
        while (this.buf[this.pos++]! & 0x80) {}
        break;
      case BIT64:
        this.pos += 8;
        break;
      case BIT32:
        this.pos += 4;
        break;
      case LENGTH_DELIMITED: {
        const len = this.uint32();
        this.pos += len;
        break;
      }
      case START_GROUP:
        if (recursionLimit <= 0) throw new Error("maximum recursion depth reached");
        for (;;) {
          const tag = this.tag();
          if ((tag & 7) === END_GROUP) {
            if (tag >>> 3 !== fieldNo) throw new Error("invalid end group tag");
            break;
          }
          this.skip(tag & 7, tag >>> 3, recursionLimit - 1);
        }
        break;
      default:
        throw new Error(`cant skip wire type ${wireType}`);
    }
    this.assertBounds();
  }

  /** protobuf-es's varint32read: up to ten bytes, the low 32 bits kept. */
  uint32(): number {
    const buf = this.buf;
    let result = 0;
    let b = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      b = buf[this.pos++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        this.assertBounds();
        return result;
      }
    }
    b = buf[this.pos++]!;
    result |= (b & 0x0f) << 28;
    for (let readBytes = 5; (b & 0x80) !== 0 && readBytes < 10; readBytes++) b = buf[this.pos++]!;
    if ((b & 0x80) !== 0) throw new Error("invalid varint");
    this.assertBounds();
    return result >>> 0;
  }

  int32(): number {
    return this.uint32() | 0;
  }

  /** An int64 as the number Number(bigint) gives for protobuf-es's bigint (both round to nearest). */
  int64(): number {
    this.varint64();
    return this.hi * 0x100000000 + (this.lo >>> 0);
  }

  bool(): boolean {
    const b = this.buf[this.pos]!;
    if (b < 0x80) {
      this.pos++;
      return b !== 0;
    }
    this.varint64();
    return this.lo !== 0 || this.hi !== 0;
  }

  double(): number {
    const at = this.pos;
    // protobuf-es reads through a DataView over the whole buffer, which throws past its end.
    if (at + 8 > this.len) throw new RangeError("Out of bounds access");
    const buf = this.buf;
    for (let i = 0; i < 8; i++) scratch.setUint8(i, buf[at + i]!);
    this.pos = at + 8;
    return scratch.getFloat64(0, true);
  }

  /** A string, invalid UTF-8 refused (as protobuf-es does for proto3 strings). */
  string(): string {
    const len = this.uint32();
    const start = this.pos;
    this.pos += len;
    this.assertBounds();
    return len <= CACHED_MAX_LENGTH
      ? cachedString(this.buf, start, len)
      : utf8.decode(this.buf.subarray(start, this.pos));
  }

  private lo = 0;
  private hi = 0;

  /** protobuf-es's varint64read: the value's low and high 32 bits into lo and hi. */
  private varint64(): void {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = buf[pos++]!;
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.varint64Done(pos, lo, hi);
    }
    const middleByte = buf[pos++]!;
    lo |= (middleByte & 0x0f) << 28;
    hi = (middleByte & 0x70) >> 4;
    if ((middleByte & 0x80) === 0) return this.varint64Done(pos, lo, hi);
    for (let shift = 3; shift <= 31; shift += 7) {
      const b = buf[pos++]!;
      hi |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.varint64Done(pos, lo, hi);
    }
    throw new Error("invalid varint");
  }

  private varint64Done(pos: number, lo: number, hi: number): void {
    this.pos = pos;
    this.assertBounds();
    this.lo = lo;
    this.hi = hi;
  }

  private assertBounds(): void {
    if (this.pos > this.len) throw new RangeError("premature EOF");
  }
}

/*
 * Units, device types and device ids repeat from record to record: a string of up to CACHED_MAX_LENGTH
 * bytes is looked up by a hash of its bytes, and decoded (and checked as UTF-8) only when its slot
 * holds other bytes. A slot only ever holds bytes that decoded, so a hit is valid UTF-8.
 */
const CACHED_MAX_LENGTH = 32;
const SLOTS = 4096; // a fleet's worth of device ids, with few collisions
const slotBytes = new Uint8Array(SLOTS * CACHED_MAX_LENGTH);
const slotLength = new Int16Array(SLOTS).fill(-1);
const slotString: string[] = new Array(SLOTS).fill("");

function cachedString(buf: Uint8Array, start: number, len: number): string {
  let h = len;
  for (let i = start; i < start + len; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  const slot = (h ^ (h >>> 16)) & (SLOTS - 1);
  const at = slot * CACHED_MAX_LENGTH;
  if (slotLength[slot] === len) {
    let i = 0;
    while (i < len && slotBytes[at + i] === buf[start + i]) i++;
    if (i === len) return slotString[slot]!;
  }
  const s = utf8.decode(buf.subarray(start, start + len));
  slotBytes.set(buf.subarray(start, start + len), at);
  slotLength[slot] = len;
  slotString[slot] = s;
  return s;
}
