import { opsRoutes } from "@iot/common/ops-routes";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { Elysia } from "elysia";
import type { ApplicationRoutesDeps } from "./application-routes";
import { applicationRoutes } from "./application-routes";
import { deliveryRoutes } from "./delivery-routes";
import { httpErrors } from "./errors";
import { openapiDocs } from "./openapi";

/** The REST facade: seed API + OpenAPI (/openapi, /openapi/json) + /healthz, /readyz, /metrics. */
export function createHttpApp(deps: ApplicationRoutesDeps & { log: Logger; metrics: Metrics }) {
  const { registry, log, metrics } = deps;
  const requests = metrics.counter("app_registry_http_requests_total", "REST requests by method, route and status.", ["method", "route", "status"]);
  const readiness = { checks: async () => ({ database: await registry.ready().then(() => true, () => false) }) };
  return new Elysia()
    .use(httpErrors(log))
    .onAfterResponse({ as: "global" }, ({ request, route, set }) =>
      requests.inc({ method: request.method, route: route || "unmatched", status: String(set.status ?? 200) }),
    )
    .use(openapiDocs())
    .use(opsRoutes("app-registry", readiness, metrics))
    .use(applicationRoutes(deps))
    .use(deliveryRoutes(deps));
}
