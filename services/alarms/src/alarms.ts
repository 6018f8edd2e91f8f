/** The alarms service, wired from its parts: `main.ts`, the all-in-one start and tests build it here. */
import { randomUUIDv7 } from "bun";
import type { Subscription } from "@iot/common/bus";
import { watchDeviceRegistry } from "@iot/common/device-registry";
import { opsRoutes } from "@iot/common/ops-routes";
import type { Service, ServiceDefinition, ServiceDeps } from "@iot/common/service";
import { errorMessage } from "@iot/common/logger";
import { createAlarmFeed } from "./alarm-feed";
import { createAlarmMetrics } from "./alarm-metrics";
import { createAlarmsApi } from "./alarms-api";
import { localUrl, serveOn } from "@iot/common/listen";
import { type AlarmsConfig, loadConfig } from "./config";
import { openStore } from "./db/open";
import { createEngine } from "./engine";
import { alarmRoutes, MAX_BODY_BYTES } from "./http/routes";
import { writeGate } from "./http/write-gate";
import { createAdminAccess } from "@iot/common/admin-access";
import { createProcessor } from "./processor";
import { rpcRoutes } from "./rpc/handler";

/** Silence is counted from start-up at the earliest (engine.load), so this only bounds how often last-seen times are written. */
const PERSIST_SEEN_EVERY_MS = 60_000;

export interface AlarmsDeps extends ServiceDeps {
  /** The service clock for `for` timers and silence (tests inject one); readings carry broker time. */
  now?: () => number;
}

export async function createAlarms(config: AlarmsConfig, deps: AlarmsDeps) {
  const { bus, log } = deps;
  if (!bus) throw new Error("the alarms service needs a bus");
  const now = deps.now ?? Date.now;
  const undo: Array<() => unknown> = [];
  const unwind = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const registry = await watchDeviceRegistry(config.deviceRegistryPath, log);
    undo.push(() => registry.close());
    const store = await openStore(config);
    undo.push(() => store.close());

    const engine = createEngine({
      rules: (t) => registry.get().alarmRules.get(t) ?? [],
      newId: randomUUIDv7,
      persistSeenEveryMs: PERSIST_SEEN_EVERY_MS,
    });
    engine.load(await store.load(), now());
    const feed = createAlarmFeed();
    const metrics = createAlarmMetrics(deps.metrics, engine.activeAlarms);
    deps.metrics.gauge("alarms_watch_streams", "Open WatchAlarms streams and dashboard watchers.", () => feed.watchers);
    const processor = createProcessor({
      engine,
      store,
      bus,
      topic: config.bus.topics.alarms,
      format: config.format,
      metrics,
      log,
      now,
      onPublished: feed.publish,
    });
    undo.push(() => processor.idle());
    const api = createAlarmsApi({
      store,
      acknowledge: processor.acknowledge,
      registry: registry.get,
      feed,
      active: engine.activeAlarms,
      now,
    });

    const shutdown = new AbortController();
    let subscription: Subscription | undefined;
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopped = false;
    const checks = async () => ({
      bus: await bus.ready().catch(() => false),
      database: await store.ping().then(
        () => true,
        () => false,
      ),
      consuming: subscription !== undefined,
    });
    const app = opsRoutes("alarms", { checks }, deps.metrics)
      .use(writeGate(createAdminAccess(config.adminToken)))
      .use(alarmRoutes(api, log))
      .use(rpcRoutes(api, log, shutdown.signal));

    const service: Service & { api: typeof api; processor: typeof processor; tick: () => Promise<void> } = {
      api,
      processor,
      tick: processor.tick,
      async start() {
        try {
          await processor.flush();
          subscription = await bus.subscribe({
            groupId: config.groupId,
            topics: [config.bus.topics.enriched],
            fromBeginning: config.fromBeginning,
            handler: processor.handleBatch,
          });
          undo.push(() => subscription?.stop());
          timer = setInterval(
            () =>
              processor
                .tick()
                .catch((e) => log.warn("alarm tick failed; retried next tick", { error: errorMessage(e) })),
            config.tickMs,
          );
          undo.push(() => clearInterval(timer));
          // Bun's cap is a backstop; the routes answer 400 with a message below it (http/routes.ts).
          app.listen({ ...serveOn(config.bindHost, config.port), maxRequestBodySize: 2 * MAX_BODY_BYTES });
          undo.push(() => app.stop(true));
          undo.push(() => shutdown.abort()); // ends open WatchAlarms streams first
        } catch (e) {
          await unwind();
          throw e;
        }
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await unwind();
      },
      checks,
      urls: () => ({ Alarms: localUrl(config.bindHost, app.server?.port) }),
    };
    return service;
  } catch (e) {
    await unwind();
    throw e;
  }
}

export const alarmsDefinition: ServiceDefinition<AlarmsConfig> = {
  name: "alarms",
  loadConfig: (env) => loadConfig(env),
  usesBus: true,
  create: (config, deps) => createAlarms(config, deps),
};
