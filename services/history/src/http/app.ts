import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { opsRoutes, type Readiness } from "@iot/common/ops-routes";
import { Elysia } from "elysia";
import type { Queries } from "../query";
import { historyRoutes } from "./routes";

/** The service's one port: series API + RPC + /healthz, /readyz, /metrics. */
export function createHttpApp(deps: { queries: Queries; readiness: Readiness; metrics: Metrics; log: Logger }) {
  return new Elysia()
    .use(opsRoutes("history", deps.readiness, deps.metrics))
    .use(historyRoutes(deps.queries, deps.log));
}
export type HttpApp = ReturnType<typeof createHttpApp>;
