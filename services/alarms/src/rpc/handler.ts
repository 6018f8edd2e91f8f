/**
 * Connect and gRPC-Web on the service's own HTTP port (Bun serves HTTP/1.1 only, so not gRPC
 * proper), through `createFetchHandler` (STACK.md: Elysia's mount strips the path). Errors are
 * mapped here once: AlarmsError → its Code; anything unexpected → Internal with no detail.
 */
import { Code, ConnectError, createConnectRouter, type Interceptor } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { AlarmsService } from "@gen/iot/alarms/v1/alarms_pb";
import { Elysia } from "elysia";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { AlarmsApi } from "../alarms-api";
import { AlarmsError } from "../errors";
import { alarmsService } from "./alarms-service";

const CODE = {
  invalid_argument: Code.InvalidArgument,
  not_found: Code.NotFound,
  failed_precondition: Code.FailedPrecondition,
} as const;

const mapErrors =
  (log: Logger): Interceptor =>
  (next) =>
  async (req) => {
    const map = (e: unknown) => {
      if (e instanceof ConnectError) return e;
      if (e instanceof AlarmsError) return new ConnectError(e.message, CODE[e.code]);
      log.error("rpc failed", { procedure: req.method.name, error: errorMessage(e) });
      return new ConnectError("internal error", Code.Internal);
    };
    try {
      const res = await next(req);
      if (!res.stream) return res;
      const message = res.message;
      return {
        ...res,
        message: (async function* () {
          try {
            yield* message;
          } catch (e) {
            throw map(e);
          }
        })(),
      };
    } catch (e) {
      throw map(e);
    }
  };

export function rpcRoutes(api: AlarmsApi, log: Logger, shutdown: AbortSignal) {
  const router = createConnectRouter({
    interceptors: [mapErrors(log)],
    readMaxBytes: 1024 * 1024,
    shutdownSignal: shutdown,
  });
  alarmsService(api)(router);
  const handlers = new Map(router.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));
  return new Elysia({ name: "alarm-rpc" }).all(
    `/${AlarmsService.typeName}/*`,
    ({ request }) => {
      const handler = handlers.get(new URL(request.url).pathname);
      return handler ? handler(request) : new Response("unknown procedure", { status: 404 });
    },
    { parse: "none" },
  );
}
