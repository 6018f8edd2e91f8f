/** Why a payload could not be decoded; the reason becomes the dead-letter header. */
export type DecodeReason =
  | "oversize"
  | "malformed" // not JSON / not protobuf / not UTF-8
  | "not_an_object"
  | "missing_device_id"
  | "invalid_field"
  | "unknown_schema";

export class DecodeError extends Error {
  override name = "DecodeError";
  constructor(
    readonly reason: DecodeReason,
    message: string,
  ) {
    super(message);
  }
}
