/** Every error → HTTP status and JSON body, in one place. Bodies never carry internal messages. */
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import { Elysia } from "elysia";
import {
  DuplicateDeviceError,
  DuplicateNameError,
  ImportTooLargeError,
  NotFoundError,
  PermissionDeniedError,
  rootCause,
  UnauthenticatedError,
  ValidationError,
} from "../errors";

/** Transport-level problems found before the domain sees the request (415, 413, malformed JSON). */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function errorResponse(
  error: unknown,
): { status: number; body: Record<string, unknown>; headers?: Record<string, string> } | undefined {
  if (error instanceof ValidationError)
    return { status: 400, body: { error: "Validation failed", details: error.details } };
  if (error instanceof NotFoundError) return { status: 404, body: { error: error.message } };
  if (error instanceof DuplicateNameError || error instanceof DuplicateDeviceError)
    return { status: 409, body: { error: error.message, code: error.code } };
  if (error instanceof ImportTooLargeError) return { status: 413, body: { error: error.message, limit: error.limit } };
  if (error instanceof UnauthenticatedError)
    return { status: 401, body: { error: error.message }, headers: { "www-authenticate": "Bearer" } };
  if (error instanceof PermissionDeniedError) return { status: 403, body: { error: error.message } };
  if (error instanceof HttpError) return { status: error.status, body: { error: error.message } };
  return undefined;
}

/** Global error mapping: domain errors, unknown routes, Elysia's own errors, and everything else as a bare 500. */
export function httpErrors(log: Logger) {
  return new Elysia({ name: "http-errors" }).onError({ as: "global" }, ({ code, error, set, request }) => {
    const mapped = errorResponse(error);
    if (mapped) {
      set.status = mapped.status;
      Object.assign(set.headers, mapped.headers);
      return mapped.body;
    }
    if (code === "NOT_FOUND") {
      set.status = 404;
      return { error: "Endpoint not found" };
    }
    if (code === "PARSE" || code === "VALIDATION" || code === "INVALID_COOKIE_SIGNATURE") {
      set.status = 400;
      return { error: "Bad request" };
    }
    log.error("request failed", {
      method: request.method,
      path: new URL(request.url).pathname,
      error: errorMessage(rootCause(error)),
    });
    set.status = 500;
    return { error: "Internal server error" };
  });
}
