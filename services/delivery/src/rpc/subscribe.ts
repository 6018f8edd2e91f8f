/**
 * `iot.delivery.v1.DeliveryService/Subscribe`: the stream channel as a Connect server stream, on
 * the delivery service's HTTP port (Connect and gRPC-Web over HTTP/1.1: Bun.serve has no HTTP/2).
 * Same sessions, positions and limits as the SSE route; a bad key is Unauthenticated.
 */
import { Code, ConnectError, createConnectRouter } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { DeliveryService } from "@gen/iot/delivery/v1/delivery_pb";
import { enrichedEventToProto } from "@iot/common/codec/proto";
import { Elysia } from "elysia";
import { eventOf } from "../records";
import { type Streams, StreamUnauthorized } from "../streams";

const WAIT_MS = 15_000;

export function subscribeRoutes(streams: Streams) {
  const router = createConnectRouter();
  router.service(DeliveryService, {
    async *subscribe(req, ctx) {
      let connection: Awaited<ReturnType<Streams["connect"]>>;
      try {
        connection = await streams.connect(ctx.requestHeader.get("authorization"), {
          lastEventId: req.lastEventId,
          deviceId: req.deviceId || undefined,
        });
      } catch (e) {
        if (e instanceof StreamUnauthorized) throw new ConnectError(e.message, Code.Unauthenticated);
        throw e;
      }
      const leave = () => void connection.close();
      ctx.signal.addEventListener("abort", leave);
      try {
        for (;;) {
          const events = await connection.session.next(WAIT_MS);
          if (events === undefined || ctx.signal.aborted) return;
          for (const e of events)
            yield { id: e.id, messageId: e.delivery.id, event: enrichedEventToProto(eventOf(e.delivery)) };
          connection.sent(events.length);
        }
      } finally {
        ctx.signal.removeEventListener("abort", leave);
        await connection.close();
      }
    },
  });
  return router.handlers.reduce(
    (app, handler) => {
      const fetchHandler = createFetchHandler(handler);
      return app.post(handler.requestPath, ({ request }) => fetchHandler(request), { parse: "none" });
    },
    new Elysia({ name: "delivery-rpc" }),
  );
}
