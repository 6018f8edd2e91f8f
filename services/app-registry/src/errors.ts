/** The domain's errors. Each transport maps them once: HTTP in src/http/errors.ts, RPC in src/rpc/errors.ts. */

/** Field (named as the caller's transport names it) → messages, in the seed's shape: `{"name": ["Missing data for required field."]}`. */
export type FieldErrors = Record<string, string[]>;

export class ValidationError extends Error {
  override name = "ValidationError";
  constructor(readonly details: FieldErrors) {
    super(`Validation failed: ${fieldErrorText(details)}`);
  }
}

/** `field: messages; field: messages` — one line naming every bad field (an import row's error, a log line). */
export const fieldErrorText = (details: FieldErrors) =>
  Object.entries(details)
    .map(([field, messages]) => `${field}: ${messages.join(" ")}`)
    .join("; ");

export class NotFoundError extends Error {
  override name = "NotFoundError";
  constructor(message = "Application not found") {
    super(message);
  }
}

export class DuplicateNameError extends Error {
  override name = "DuplicateNameError";
  readonly code = "DUPLICATE_NAME";
  constructor() {
    super("Application with this name already exists");
  }
}

export class DuplicateDeviceError extends Error {
  override name = "DuplicateDeviceError";
  readonly code = "DUPLICATE_DEVICE";
  constructor(deviceId: string) {
    super(`Device ${deviceId} already exists`);
  }
}

/** An import larger than the registry takes in one request. */
export class ImportTooLargeError extends Error {
  override name = "ImportTooLargeError";
  constructor(readonly limit: number) {
    super(`At most ${limit} devices per import`);
  }
}

/** No usable credentials were presented for a write. */
export class UnauthenticatedError extends Error {
  override name = "UnauthenticatedError";
}

/** Credentials were presented (or the caller is remote) but the write is not allowed. */
export class PermissionDeniedError extends Error {
  override name = "PermissionDeniedError";
}

/** A Watch subscriber fell too far behind; it should reconnect and take a fresh snapshot. */
export class WatchOverflowError extends Error {
  override name = "WatchOverflowError";
  constructor(limit: number) {
    super(`watcher fell more than ${limit} changes behind; reconnect for a fresh snapshot`);
  }
}

/**
 * The innermost cause, for logs: drizzle wraps driver errors in one whose message lists the
 * query's parameters (hashes, e-mails), which must not reach a log.
 */
export function rootCause(e: unknown): unknown {
  let cur = e;
  while (cur instanceof Error && cur.cause !== undefined) cur = cur.cause;
  return cur;
}
