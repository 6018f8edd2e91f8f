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

/** What protobuf-es's reader threw, as the dead letter's reason. */
export const malformedProtobuf = (e: unknown) =>
  new DecodeError("malformed", `not a valid protobuf message: ${e instanceof Error ? e.message : String(e)}`);

/** `parse`'s result, or what protobuf-es's reader threw as a DecodeError. */
export function parseProto<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw malformedProtobuf(e);
  }
}
