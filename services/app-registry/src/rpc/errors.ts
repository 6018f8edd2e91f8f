/** Every error → a Connect code, in one place. Messages of unexpected errors never reach the client. */
import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import {
  DuplicateDeviceError,
  DuplicateNameError,
  ImportTooLargeError,
  NotFoundError,
  PermissionDeniedError,
  rootCause,
  UnauthenticatedError,
  ValidationError,
  WatchOverflowError,
} from "../errors";

export function toConnectError(e: unknown, log: Logger, procedure: string): ConnectError {
  if (e instanceof ConnectError) return e;
  // Its fields are named as the proto names them (rpc/convert.ts decoded the request).
  if (e instanceof ValidationError) return new ConnectError(e.message, Code.InvalidArgument);
  if (e instanceof NotFoundError) return new ConnectError(e.message, Code.NotFound);
  if (e instanceof DuplicateNameError || e instanceof DuplicateDeviceError)
    return new ConnectError(e.message, Code.AlreadyExists);
  if (e instanceof ImportTooLargeError) return new ConnectError(e.message, Code.ResourceExhausted);
  if (e instanceof UnauthenticatedError) return new ConnectError(e.message, Code.Unauthenticated);
  if (e instanceof PermissionDeniedError) return new ConnectError(e.message, Code.PermissionDenied);
  if (e instanceof WatchOverflowError) return new ConnectError(e.message, Code.ResourceExhausted);
  log.error("rpc failed", { procedure, error: errorMessage(rootCause(e)) });
  return new ConnectError("Internal error", Code.Internal);
}

/** Maps errors of unary calls and of streams (thrown mid-stream) alike; counts outcomes. */
export function errorInterceptor(log: Logger, count: (procedure: string, code: string) => void): Interceptor {
  return (next) => async (req) => {
    const procedure = req.method.name;
    const fail = (e: unknown) => {
      const ce = toConnectError(e, log, procedure);
      count(procedure, Code[ce.code]);
      return ce;
    };
    try {
      const res = await next(req);
      if (!res.stream) {
        count(procedure, "OK");
        return res;
      }
      return {
        ...res,
        message: (async function* () {
          try {
            yield* res.message;
            count(procedure, "OK");
          } catch (e) {
            throw fail(e);
          }
        })(),
      };
    } catch (e) {
      throw fail(e);
    }
  };
}
