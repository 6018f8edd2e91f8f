/**
 * The dashboard, wired: state fed by one bus consumer and two pollers, rendered by the views,
 * served by Elysia and pushed to browsers through the hub. `bun run dashboard` (through `runAlone`)
 * and the all-in-one `bun run start` both build it here, with whatever bus they run on (and own).
 */
import type { EventBus, Subscription } from "@iot/common/bus";
import { localUrl, serveOn } from "@iot/common/listen";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { opsRoutes } from "@iot/common/ops-routes";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { Elysia } from "elysia";
import { createAccess } from "./auth/access";
import { createCallerOf } from "./auth/caller";
import { createLoginLimiter } from "./auth/login-limiter";
import { createSessions } from "./auth/sessions";
import { type DashboardConfig, LOGIN_WINDOW_MS, loadConfig } from "./config";
import { createDeliveryClient } from "./delivery/client";
import { applicationRoutes } from "./http/application-routes";
import { deliveryRoutes } from "./http/delivery-routes";
import { assetRoutes } from "./http/assets";
import { deviceAdminRoutes, IMPORT_PATH, MAX_IMPORT_BODY_BYTES } from "./http/device-admin-routes";
import { errorResponses } from "./http/errors";
import { historyRoutes } from "./http/history-routes";
import { liveRoutes } from "./http/live-routes";
import { loginRoutes } from "./http/login-routes";
import { createIdentify, operatorGuard } from "./http/operator-guard";
import { pageRoutes } from "./http/page-routes";
import { allowedHostNames, security } from "./http/security";
import { createHistoryClient } from "./history/client";
import { createStoredHistory } from "./history/stored-history";
import { createHub } from "./live/hub";
import { createLive } from "./live/stream";
import { createStreamSlots } from "./live/stream-slots";
import { createRegistryClient, type RegistryClient } from "./registry/client";
import { createDeviceClient } from "./registry/device-client";
import { createDashboardState } from "./state/dashboard-state";
import { alarmRoutes } from "./alarms/alarm-routes";
import { createAlarmMarks } from "./alarms/alarm-marks";
import { createAlarmsClient } from "./alarms/alarms-client";
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
  const registry =
    deps.registryClient ??
    createRegistryClient({ url: config.registry.url, token: config.registry.token, timeoutMs: config.httpTimeoutMs });
  const deviceClient = createDeviceClient({
    url: config.registry.url,
    token: config.registry.token,
    timeoutMs: config.httpTimeoutMs,
  });
  const topics = config.bus.topics;
  const alarms = createAlarmsClient({
    url: config.alarmsUrl,
    token: config.registry.token,
    timeoutMs: config.httpTimeoutMs,
  });
  const marks = createAlarmMarks(alarms, 30_000);

  const ingest = createIngest({ topics, state, metrics, changed, feedSize: config.limits.feed });
  const groups = [
    { groupId: config.enrichmentGroupId, topics: [topics.raw] },
    { groupId: config.groupId, topics: [topics.raw, topics.enriched, topics.dlq] },
  ];
  const poller = createPipelinePoller({
    bus,
    topics,
    groups,
    store: state.pipeline,
    intervalMs: config.intervals.statsMs,
    changed,
    log,
  });
  const probe = createServiceProbe({
    services: config.services,
    store: state.services,
    intervalMs: config.intervals.probeMs,
    timeoutMs: config.httpTimeoutMs,
    changed,
  });
  const history = createStoredHistory({
    client: createHistoryClient({ url: config.historyUrl, timeoutMs: config.httpTimeoutMs }),
    refreshMs: config.intervals.historyRefreshMs,
    maxEntries: config.limits.historyCharts,
    refreshed: changed,
    log,
  });
  const stream = createLive({
    hub,
    heartbeatMs: config.intervals.heartbeatMs,
    clients: metrics.gauge("dashboard_sse_clients", "Browsers connected to a live stream."),
    messages: metrics.counter("dashboard_sse_messages_total", "Live updates sent to browsers."),
  });

  const { auth } = config;
  const access = createAccess({
    operators: auth.operators,
    loopbackOperator: auth.loopbackOperator,
    proxyHeader: auth.proxyHeader,
    sessions: createSessions({ idleMs: auth.sessionIdleMs, maxMs: auth.sessionMaxMs }),
    limiter: createLoginLimiter({ maxFailures: auth.loginMaxFailures, windowMs: LOGIN_WINDOW_MS }),
  });
  const identify = createIdentify(access, createCallerOf(auth.trustedProxies));
  const slots = createStreamSlots({ total: config.limits.streams, perClient: config.limits.streamsPerClient });
  const maxBodyBytes = config.limits.bodyBytes;

  let subscription: Subscription | undefined;
  let url = "";
  const checks = async () => ({ broker: await bus.ready(), consumer: subscription !== undefined });
  const readiness = { checks };
  // Order matters: Elysia hooks cover the routes registered after them.
  const app = new Elysia()
    .use(errorResponses(log))
    .use(
      security({
        allowedHosts: allowedHostNames(config.bindHost, config.allowedHosts),
        maxBodyBytes,
        largeBodies: { [IMPORT_PATH]: MAX_IMPORT_BODY_BYTES },
      }),
    )
    .use(operatorGuard(access, identify))
    .use(opsRoutes("dashboard", readiness, metrics))
    .use(assetRoutes())
    .use(loginRoutes({ access, identify, maxBodyBytes }))
    .use(pageRoutes({ state, config, marks }))
    .use(liveRoutes({ state, config, marks, stream, slots, identify, history }))
    .use(applicationRoutes({ registry, access, identify, maxBodyBytes }))
    .use(alarmRoutes(alarms))
    .use(
      deviceAdminRoutes({ devices: deviceClient, registry, seen: state.devices, ingest: config.ingest, maxBodyBytes }),
    )
    .use(historyRoutes({ stored: history, state }))
    .use(
      deliveryRoutes({
        delivery: createDeliveryClient({
          url: config.deliveryUrl,
          token: config.registry.token,
          timeoutMs: config.httpTimeoutMs,
        }),
        identify,
      }),
    );

  return {
    app,
    state,
    async start() {
      // /readyz answers 503 until the consumer has joined its group. Bun's body cap is a backstop
      // behind the 413 the routes give; the idle timeout outlasts the live streams' heartbeat.
      app.listen({
        ...serveOn(config.bindHost, config.port),
        maxRequestBodySize: Math.max(4 * maxBodyBytes, MAX_IMPORT_BODY_BYTES),
        idleTimeout: config.idleTimeoutSeconds,
      });
      url = localUrl(config.bindHost, app.server?.port);
      try {
        subscription = await subscribeIngest(bus, {
          groupId: config.groupId,
          topics,
          fromBeginning: config.fromBeginning,
          handler: ingest,
        });
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
