/**
 * The series API: `GET /api/devices/{id}/series|trends|latest`, `series.csv`, and the RPC
 * procedures on the same port. Handlers parse the query string, call the queries, and map a
 * QueryError to a 400 naming the bad parameters and anything else to a 503 (in one place, `answer`).
 */
import { errorMessage, type Logger } from "@iot/common/logger";
import { Elysia } from "elysia";
import { type Queries, QueryError, type SeriesParams, type SeriesResult } from "../query";
import { historyRpcHandlers } from "../rpc/history-service";
import { toCsv } from "./csv";

const paramsOf = (request: Request): SeriesParams => {
  const q = new URL(request.url).searchParams;
  const one = (name: string) => q.get(name) ?? undefined;
  return { metrics: q.getAll("metric"), from: one("from"), to: one("to"), points: one("points"), level: one("level") };
};

const seriesJson = (r: SeriesResult) => ({
  device_id: r.deviceId,
  level: r.level,
  from: r.from,
  to: r.to,
  width_ms: r.width,
  series: r.series,
});

export function historyRoutes(queries: Queries, log: Logger) {
  const answer = async (work: () => Promise<Response | object>, status: { status?: number | string }) => {
    try {
      return await work();
    } catch (e) {
      if (e instanceof QueryError) {
        status.status = 400;
        return { error: "bad_request", message: e.message, problems: e.problems };
      }
      // Past validation, only the database can fail (say, while PostgreSQL restarts): worth a retry.
      log.error("history query failed", { error: errorMessage(e) });
      status.status = 503;
      return { error: "unavailable", message: "the history database did not answer; try again" };
    }
  };
  const rpc = historyRpcHandlers(queries, log);

  return new Elysia({ name: "history-routes" })
    .get("/api/devices/:id/series", ({ params, request, set }) =>
      answer(async () => seriesJson(await queries.series(params.id, paramsOf(request))), set),
    )
    .get("/api/devices/:id/trends", ({ params, request, set }) =>
      answer(async () => seriesJson(await queries.trends(params.id, paramsOf(request))), set),
    )
    .get("/api/devices/:id/series.csv", ({ params, request, set }) =>
      answer(async () => {
        const csv = toCsv(await queries.series(params.id, paramsOf(request)));
        return new Response(csv, {
          headers: {
            "content-type": "text/csv; charset=utf-8",
            "content-disposition": 'attachment; filename="series.csv"',
          },
        });
      }, set),
    )
    .get("/api/devices/:id/latest", ({ params, set }) =>
      answer(
        async () => ({
          device_id: params.id,
          metrics: (await queries.latest(params.id)).map((l) => ({ metric: l.metric, t: l.ts, value: l.value })),
        }),
        set,
      ),
    )
    .all(
      "/iot.history.v1.HistoryService/*",
      ({ request }) =>
        rpc.get(new URL(request.url).pathname)?.(request) ?? new Response("unknown procedure", { status: 404 }),
      { parse: "none" },
    );
}
