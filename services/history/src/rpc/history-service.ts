/** HistoryService over Connect and gRPC-Web on the service's HTTP port: decode → the same queries as REST → encode. */
import { Code, ConnectError, type ConnectRouter, createConnectRouter, type Interceptor } from "@connectrpc/connect";
import { createFetchHandler } from "@connectrpc/connect/protocol";
import { HistoryService, Level as ProtoLevel } from "@gen/iot/history/v1/history_pb";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { Level } from "../db/store";
import { type Queries, QueryError, type SeriesParams, type SeriesResult } from "../query";

const LEVEL_OUT: Record<Level, ProtoLevel> = {
  raw: ProtoLevel.RAW,
  "1m": ProtoLevel.MINUTE,
  "1h": ProtoLevel.HOUR,
  "5m": ProtoLevel.TRENDS,
};
const LEVEL_IN: Partial<Record<ProtoLevel, string>> = {
  [ProtoLevel.RAW]: "raw",
  [ProtoLevel.MINUTE]: "1m",
  [ProtoLevel.HOUR]: "1h",
};

interface RangeRequest {
  metrics: string[];
  fromUnixMs?: bigint;
  toUnixMs?: bigint;
  points?: number;
}

const paramsIn = (req: RangeRequest, level?: ProtoLevel): SeriesParams => ({
  metrics: req.metrics,
  from: req.fromUnixMs === undefined ? undefined : Number(req.fromUnixMs),
  to: req.toUnixMs === undefined ? undefined : Number(req.toUnixMs),
  points: req.points,
  // A level the query cannot read from (trends) is named as a bad parameter by the query itself.
  level:
    level === undefined || level === ProtoLevel.UNSPECIFIED
      ? undefined
      : (LEVEL_IN[level] ?? ProtoLevel[level] ?? String(level)),
});

const seriesOut = (r: SeriesResult) => ({
  deviceId: r.deviceId,
  fromUnixMs: BigInt(r.from),
  toUnixMs: BigInt(r.to),
  widthMs: BigInt(r.width),
  series: r.series.map((s) => ({
    metric: s.metric,
    points: s.points.map((p) => ({
      timeUnixMs: BigInt(p.t),
      count: p.count === null ? undefined : BigInt(p.count),
      avg: p.avg,
      min: p.min,
      max: p.max,
      last: p.last,
    })),
  })),
});

export const historyService = (queries: Queries) => (router: ConnectRouter) =>
  router.service(HistoryService, {
    async getSeries(req) {
      const r = await queries.series(req.deviceId, paramsIn(req, req.level));
      return { ...seriesOut(r), level: LEVEL_OUT[r.level] };
    },
    getTrends: async (req) => seriesOut(await queries.trends(req.deviceId, paramsIn(req))),
    async getLatest(req) {
      const values = await queries.latest(req.deviceId);
      return {
        deviceId: req.deviceId,
        values: values.map((v) => ({ metric: v.metric, timeUnixMs: BigInt(v.ts), value: v.value })),
      };
    },
  });

/** Every error → a Connect code, in one place: bad parameters, or the database (logged, never echoed). */
const errors =
  (log: Logger): Interceptor =>
  (next) =>
  async (req) => {
    try {
      return await next(req);
    } catch (e) {
      if (e instanceof ConnectError) throw e;
      if (e instanceof QueryError) throw new ConnectError(e.message, Code.InvalidArgument);
      log.error("rpc failed", { procedure: req.method.name, error: errorMessage(e) });
      throw new ConnectError("the history database did not answer; try again", Code.Unavailable);
    }
  };

/** Path → fetch handler for each procedure, to mount on Elysia (STACK.md: `mount` would strip the prefix). */
export function historyRpcHandlers(queries: Queries, log: Logger) {
  const router = createConnectRouter({ interceptors: [errors(log)], readMaxBytes: 64 * 1024 });
  historyService(queries)(router);
  return new Map(router.handlers.map((h) => [h.requestPath, createFetchHandler(h)]));
}
