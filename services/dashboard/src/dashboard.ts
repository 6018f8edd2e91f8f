/**
 * The dashboard, wired: state fed by one bus consumer and two pollers, rendered by the views,
 * served by Elysia and pushed to browsers through the hub. `bun run dashboard` (through `runAlone`)
 * and the all-in-one `bun run start` both build it here, with whatever bus they run on (and own).
 */
import type { EventBus, Subscription } from "@iot/common/bus";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { opsRoutes } from "@iot/common/ops-routes";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { Elysia } from "elysia";
import { type DashboardConfig, loadConfig } from "./config";
import { createDeliveryClient } from "./delivery/client";
import { applicationRoutes } from "./http/application-routes";
import { deliveryRoutes } from "./http/delivery-routes";
import { assetRoutes } from "./http/assets";
import { errorResponses } from "./http/errors";
import { liveRoutes } from "./http/live-routes";
import { pageRoutes } from "./http/page-routes";
import { security } from "./http/security";
import { createHub } from "./live/hub";
import { createLive } from "./live/stream";
import { createRegistryClient, type RegistryClient } from "./registry/client";
import { createDashboardState } from "./state/dashboard-state";
import { createIngest, subscribeIngest } from "./sources/ingest";
import { createPipelinePoller } from "./sources/pipeline-poller";
import { createServiceProbe } from "./sources/service-probe";

export interface DashboardDeps {
  bus: EventBus;
  log: Logger;
  metrics: Metrics;
  registryClient?: RegistryClient;
}

export function createDashboard(config: DashboardConfig, deps: DashboardDeps) {
  const { bus, log, metrics } = deps;
  const state = createDashboardState(config);
  const hub = createHub(1000 / config.maxSwapsPerSecond);
  const changed = () => hub.changed();
  const registry = deps.registryClient ?? createRegistryClient({ url: config.registry.url, token: config.registry.token, timeoutMs: config.httpTimeoutMs });
  const topics = config.bus.topics;

  const ingest = createIngest({ topics, state, metrics, changed, feedSize: config.limits.feed });
  const groups = [
    { groupId: config.enrichmentGroupId, topics: [topics.raw] },
    { groupId: config.groupId, topics: [topics.raw, topics.enriched, topics.dlq] },
  ];
  const poller = createPipelinePoller({ bus, topics, groups, store: state.pipeline, intervalMs: config.intervals.statsMs, changed, log });
  const probe = createServiceProbe({ services: config.services, store: state.services, intervalMs: config.intervals.probeMs, timeoutMs: config.httpTimeoutMs, changed });
  const stream = createLive({
    hub,
    heartbeatMs: config.intervals.heartbeatMs,
    clients: metrics.gauge("dashboard_sse_clients", "Browsers connected to a live stream."),
    messages: metrics.counter("dashboard_sse_messages_total", "Live updates sent to browsers."),
  });

  let subscription: Subscription | undefined;
  let url = "";
  const checks = async () => ({ broker: await bus.ready(), consumer: subscription !== undefined });
  const readiness = { checks };
  const app = new Elysia()
    .use(errorResponses(log))
    .use(security())
    .use(opsRoutes("dashboard", readiness, metrics))
    .use(assetRoutes())
    .use(pageRoutes({ state, config }))
    .use(liveRoutes({ state, config }, stream))
    .use(applicationRoutes(registry))
    .use(deliveryRoutes(createDeliveryClient({ url: config.deliveryUrl, token: config.registry.token, timeoutMs: config.httpTimeoutMs })));

  return {
    app,
    state,
    async start() {
      app.listen(config.port); // /readyz answers 503 until the consumer has joined its group
      url = `http://127.0.0.1:${app.server?.port}`;
      try {
        subscription = await subscribeIngest(bus, { groupId: config.groupId, topics, fromBeginning: config.fromBeginning, handler: ingest });
      } catch (e) {
        await app.stop();
        throw e;
      }
      poller.start();
      probe.start();
      log.info("dashboard listening", { port: app.server?.port, group: config.groupId, topics });
    },
    async stop() {
      hub.stop(); // ends every live stream, so the server can close
      if (app.server) await app.stop();
      await Promise.all([poller.stop(), probe.stop()]);
      await subscription?.stop();
      subscription = undefined;
    },
    checks,
    urls: () => ({ Dashboard: url }),
  } satisfies Service & { app: unknown; state: unknown };
}

export const dashboardService: ServiceDefinition<DashboardConfig> = {
  name: "dashboard",
  loadConfig: (env) => loadConfig(env),
  usesBus: true,
  create: (config, deps) => createDashboard(config, { ...deps, bus: deps.bus! }),
};

export type Dashboard = ReturnType<typeof createDashboard>;
