import { DecodeError } from "./decode-error";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** UTF-8 JSON bytes as a value; anything else is a "malformed" DecodeError. */
export function parseJson(value: Uint8Array): unknown {
  try {
    return JSON.parse(utf8.decode(value));
  } catch (e) {
    throw new DecodeError("malformed", `not valid UTF-8 JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}
