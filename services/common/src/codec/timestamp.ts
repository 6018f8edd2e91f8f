/**
 * Timestamps on the wire are RFC 3339 UTC with exactly six fractional digits, the form protobuf's
 * Timestamp (seconds + nanos) maps back to without loss. Other RFC 3339 forms are accepted and
 * rewritten to it; a timestamp without an offset (as the seed's devices sent) is taken as UTC.
 */
import { DecodeError } from "./decode-error";

const CANONICAL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;
const RFC3339 = /^(\d{4}-\d\d-\d\d)[Tt ](\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?([Zz]|[+-]\d\d:\d\d)?$/;

/** Years 0000–9999: what RFC 3339 can write and Date can format; device-supplied times outside are refused. */
export const MIN_EPOCH_SECONDS = -62_167_219_200;
export const MAX_EPOCH_SECONDS = 253_402_300_799;

export function checkEpochSeconds(seconds: number, field: string): number {
  if (!Number.isFinite(seconds) || seconds < MIN_EPOCH_SECONDS || seconds > MAX_EPOCH_SECONDS)
    throw new DecodeError("invalid_field", `${field}: ${seconds} is outside the years 0000–9999`);
  return seconds;
}

export interface ProtoTime {
  seconds: bigint;
  nanos: number;
}

export function canonicalTimestamp(value: unknown, field = "timestamp"): string {
  if (typeof value !== "string") throw new DecodeError("invalid_field", `${field}: expected an RFC 3339 string`);
  if (CANONICAL.test(value)) return value;
  const m = RFC3339.exec(value);
  const ms = m ? Date.parse(`${m[1]}T${m[2]}${m[4]?.toUpperCase() ?? "Z"}`) : NaN;
  if (!m || Number.isNaN(ms))
    throw new DecodeError("invalid_field", `${field}: "${value.slice(0, 40)}" is not an RFC 3339 time`);
  return formatTimestamp(ms / 1000, Number((m[3] ?? "").padEnd(6, "0").slice(0, 6)));
}

/** `seconds` since the epoch (a fraction is dropped in favour of `micros`). */
export function formatTimestamp(seconds: number, micros = 0): string {
  const whole = Math.floor(seconds);
  // Records decoded one after another mostly share their second: its date and time are formatted once.
  if (whole !== lastSecond.seconds) {
    const iso = new Date(whole * 1000).toISOString(); // 2025-08-19T17:40:37.000Z
    lastSecond.seconds = whole;
    lastSecond.text = iso.slice(0, 19);
  }
  return `${lastSecond.text}.${String(micros).padStart(6, "0")}Z`;
}
const lastSecond = { seconds: Number.NaN, text: "" };

export function timestampNow(now = Date.now()): string {
  return formatTimestamp(Math.floor(now / 1000), (now % 1000) * 1000);
}

export function toProtoTime(canonical: string): ProtoTime {
  const seconds = Date.parse(canonical.slice(0, 19) + "Z") / 1000;
  return { seconds: BigInt(seconds), nanos: Number(canonical.slice(20, 26)) * 1000 };
}

/** `t` from a protobuf-es message (seconds a bigint) or from device-event-reader.ts (a number). */
export function fromProtoTime(t: { seconds: bigint | number; nanos: number } | undefined, field: string): string {
  if (!t) throw new DecodeError("invalid_field", `${field}: missing`);
  if (!Number.isInteger(t.nanos) || t.nanos < 0 || t.nanos > 999_999_999)
    throw new DecodeError("invalid_field", `${field}: nanos out of range`);
  return formatTimestamp(checkEpochSeconds(Number(t.seconds), field), Math.floor(t.nanos / 1000));
}
