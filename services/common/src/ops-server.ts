/** A service's own health/metrics port, for services that serve no other HTTP. */
import type { Metrics } from "./metrics";
import { opsRoutes, type Readiness } from "./ops-routes";

export function createOpsServer(service: string, port: number, readiness: Readiness, metrics: Metrics) {
  const app = opsRoutes(service, readiness, metrics);
  return {
    app,
    start: () => void app.listen(port),
    stop: () => app.stop(),
    url: () => `http://127.0.0.1:${app.server?.port}`,
  };
}
