import { opsRoutes } from "@iot/common/ops-routes";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { Elysia } from "elysia";
import type { HostAllowList } from "../host-allow-list";
import type { ApplicationRoutesDeps } from "./application-routes";
import { applicationRoutes } from "./application-routes";
import { deliveryRoutes } from "./delivery-routes";
import type { DeviceRoutesDeps } from "./device-routes";
import { deviceRoutes } from "./device-routes";
import { httpErrors } from "./errors";
import { openapiDocs } from "./openapi";
import { openapiUi } from "./openapi-ui";
import { requestGate } from "./request-gate";

/** The REST facade: seed API + OpenAPI (/openapi, /openapi/json) + /healthz, /readyz, /metrics. */
export function createHttpApp(
  deps: ApplicationRoutesDeps & DeviceRoutesDeps & { hosts: HostAllowList; log: Logger; metrics: Metrics },
) {
  const { registry, hosts, log, metrics } = deps;
  const requests = metrics.counter("app_registry_http_requests_total", "REST requests by method, route and status.", [
    "method",
    "route",
    "status",
  ]);
  const readiness = {
    checks: async () => ({
      database: await registry.ready().then(
        () => true,
        () => false,
      ),
    }),
  };
  return new Elysia()
    .use(httpErrors(log))
    .use(requestGate(hosts))
    .onAfterResponse({ as: "global" }, ({ request, route, set }) =>
      requests.inc({ method: request.method, route: route || "unmatched", status: String(set.status ?? 200) }),
    )
    .use(openapiDocs())
    .use(openapiUi())
    .use(opsRoutes("app-registry", readiness, metrics))
    .use(applicationRoutes(deps))
    .use(deliveryRoutes(deps))
    .use(deviceRoutes(deps));
}
