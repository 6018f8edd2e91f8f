/** A service's own health/metrics port, for services that serve no other HTTP. Started and stopped by the service. */
import { localUrl, serveOn } from "./listen";
import type { Metrics } from "./metrics";
import { opsRoutes, type Readiness } from "./ops-routes";

/** Where to listen: `host` is the service's `BIND_HOST` (`bindHostSchema`). */
export interface Listen {
  port: number;
  host: string;
}

export function createOpsServer(service: string, listen: Listen, readiness: Readiness, metrics: Metrics) {
  const app = opsRoutes(service, readiness, metrics);
  let url = "";
  return {
    app,
    start() {
      app.listen(serveOn(listen.host, listen.port));
      url = localUrl(listen.host, app.server?.port);
    },
    /** Idempotent: stopping a server that never started (a failed start) is a no-op. */
    async stop() {
      if (app.server) await app.stop();
    },
    /** Where it listened; empty before `start`. */
    url: () => url,
  };
}
