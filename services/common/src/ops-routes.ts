import { Elysia } from "elysia";
import type { Metrics } from "./metrics";

export interface Readiness {
  /** Each dependency's state; the service is ready when all are true. */
  checks(): Promise<Record<string, boolean>> | Record<string, boolean>;
}

/** `/healthz` (alive), `/readyz` (503 until every dependency answers), `/metrics` (Prometheus text). */
export function opsRoutes(service: string, readiness: Readiness, metrics: Metrics) {
  return new Elysia({ name: `ops-${service}` })
    .get("/healthz", () => ({ status: "ok", service }))
    .get("/readyz", async ({ set }) => {
      const checks = await readiness.checks();
      const ready = Object.values(checks).every(Boolean);
      set.status = ready ? 200 : 503;
      return { status: ready ? "ready" : "not_ready", service, checks };
    })
    .get("/metrics", ({ set }) => {
      set.headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
      return metrics.render();
    });
}
