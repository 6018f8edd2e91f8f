/**
 * `GET /api/v1/stream`: Server-Sent Events of the application's records. Each event's `id` is its
 * stream position; an EventSource (or `curl -N`) reconnecting with `Last-Event-ID` continues after
 * it. The body is pulled: nothing is read from Kafka faster than the session's bounded queue allows.
 */
import { Elysia } from "elysia";
import { itemJson } from "../records";
import type { StreamEvent } from "../stream-session";
import { type Streams, StreamUnauthorized } from "../streams";

const KEEPALIVE_MS = 15_000;
const encoder = new TextEncoder();

export const sseEvent = (e: StreamEvent) => `id: ${e.id}\nevent: enriched\ndata: ${itemJson(e.delivery)}\n\n`;

export function streamRoute(streams: Streams) {
  return new Elysia({ name: "stream-route" }).get("/api/v1/stream", async ({ request, query }) => {
    const deviceId = typeof query.device_id === "string" && query.device_id !== "" ? query.device_id : undefined;
    let connection: Awaited<ReturnType<Streams["connect"]>>;
    try {
      connection = await streams.connect(request.headers.get("authorization"), {
        lastEventId: request.headers.get("last-event-id") ?? (query.last_event_id as string | undefined),
        deviceId,
      });
    } catch (e) {
      if (!(e instanceof StreamUnauthorized)) throw e;
      return Response.json({ error: e.message }, { status: 401, headers: { "www-authenticate": "Bearer" } });
    }
    const { session } = connection;
    const body = new ReadableStream<Uint8Array>(
      {
        start(controller) {
          controller.enqueue(encoder.encode(": connected\n\n"));
          // A session closed by the server (a stalled client, a revoked key) ends the response even while nothing is pulled.
          void session.closed.then((why) => {
            if (controller.desiredSize !== null) controller.error(new Error(why));
          });
        },
        async pull(controller) {
          const events = await session.next(KEEPALIVE_MS);
          if (events === undefined) {
            await connection.close();
            // A client that left has cancelled the stream already: there is nothing to close.
            if (controller.desiredSize !== null) controller.close();
            return;
          }
          controller.enqueue(encoder.encode(events.length === 0 ? ": keepalive\n\n" : events.map(sseEvent).join("")));
          connection.sent(events.length);
        },
        cancel: () => connection.close(),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
        "x-accel-buffering": "no",
      },
    });
  });
}
