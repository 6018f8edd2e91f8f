/** A service's own health/metrics port, for services that serve no other HTTP. Started and stopped by the service. */
import type { Metrics } from "./metrics";
import { opsRoutes, type Readiness } from "./ops-routes";

export function createOpsServer(service: string, port: number, readiness: Readiness, metrics: Metrics) {
  const app = opsRoutes(service, readiness, metrics);
  let url = "";
  return {
    app,
    start() {
      app.listen(port);
      url = `http://127.0.0.1:${app.server?.port}`;
    },
    /** Idempotent: stopping a server that never started (a failed start) is a no-op. */
    async stop() {
      if (app.server) await app.stop();
    },
    /** Where it listened; empty before `start`. */
    url: () => url,
  };
}
