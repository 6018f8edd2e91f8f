/**
 * The history service, wired from its parts: the store (SQLite or PostgreSQL), the consumer of
 * `iot.enriched`, the retention loop, and one HTTP port with the series API, RPC, health and metrics.
 */
import { localUrl, serveOn } from "@iot/common/listen";
import type { Subscription } from "@iot/common/bus";
import { type DeviceRegistry, watchDeviceRegistry } from "@iot/common/device-registry";
import type { Service, ServiceDeps } from "@iot/common/service";
import type { HistoryConfig } from "./config";
import { openStore } from "./db/open";
import type { HistoryStore, Level } from "./db/store";
import { createHistoryMetrics } from "./history-metrics";
import { createHttpApp, type HttpApp } from "./http/app";
import { createIngest } from "./ingest";
import { periodic } from "./periodic";
import { type TrendNaming, trendNaming } from "./points";
import { createQueries } from "./query";

/**
 * How often PostgreSQL's pending minutes and hours are rolled up, and how long after one ends it
 * waits for stragglers first (a later point only re-queues it; the wait just saves the rework).
 */
const ROLLUP_INTERVAL_MS = 5_000;
const ROLLUP_LAG_MS = 10_000;

/**
 * Raw points are kept this long past their retention: a point accepted just before its cutoff
 * keeps the key that recognises its redelivery for at least this long.
 */
const REDELIVERY_GRACE_MS = 3_600_000;

export function createHistory(config: HistoryConfig, deps: ServiceDeps): Service & { store(): HistoryStore } {
  const { bus, log } = deps;
  if (!bus) throw new Error("history consumes the bus; none was given");
  const metrics = createHistoryMetrics(deps.metrics);
  let store: HistoryStore | undefined;
  let app: HttpApp | undefined;
  let subscription: Subscription | undefined;
  let registry: Awaited<ReturnType<typeof watchDeviceRegistry>> | undefined;
  let timers: Array<ReturnType<typeof periodic>> = [];

  let naming: [DeviceRegistry, TrendNaming] | undefined;
  const trendName = () => {
    const current = registry!.get();
    if (naming?.[0] !== current)
      naming = [current, trendNaming((type) => Object.keys(current.types.get(type)?.measurements ?? {}))];
    return naming[1];
  };

  const sweep = async (s: HistoryStore) => {
    const now = Date.now();
    const cutoffs = Object.fromEntries(Object.entries(config.retentionMs).map(([l, ms]) => [l, now - ms])) as Record<
      Level,
      number
    >;
    cutoffs.raw -= REDELIVERY_GRACE_MS;
    metrics.retentionRemoved.inc({}, await s.removeExpired(cutoffs));
  };

  const checks = async () => ({
    broker: await bus.ready(),
    database: store
      ? await store.ping().then(
          () => true,
          () => false,
        )
      : false,
  });

  const close = async () => {
    await subscription?.stop(); // finishes the batch in hand and commits it
    await Promise.all(timers.map((t) => t.stop()));
    await app?.stop();
    registry?.close();
    await store?.close();
    [subscription, app, registry, store, timers] = [undefined, undefined, undefined, undefined, []];
  };

  return {
    store: () => store!,
    async start() {
      try {
        registry = await watchDeviceRegistry(config.deviceRegistryPath, log);
        const s = (store = await openStore(config));
        app = createHttpApp({
          queries: createQueries(s, config),
          readiness: { checks },
          metrics: deps.metrics,
          log,
        }).listen(serveOn(config.bindHost, config.port));
        const handler = createIngest({ store: s, metrics, trendName, retentionMs: config.retentionMs, log });
        subscription = await bus.subscribe({
          groupId: config.groupId,
          topics: [config.bus.topics.enriched],
          fromBeginning: config.fromBeginning,
          maxFetchBytes: config.fetchKib * 1024,
          handler,
        });
        timers = [
          periodic("retention sweep", config.retentionIntervalMs, () => sweep(s), log),
          periodic(
            "roll-up",
            ROLLUP_INTERVAL_MS,
            async () => {
              const { minutes, hours } = await s.rollUp(Date.now() - ROLLUP_LAG_MS);
              metrics.rolledUp.inc({ level: "1m" }, minutes);
              metrics.rolledUp.inc({ level: "1h" }, hours);
            },
            log,
          ),
        ];
        log.info("history consuming", { topic: config.bus.topics.enriched, group: config.groupId, database: s.kind });
      } catch (e) {
        await close();
        throw e;
      }
    },
    stop: close,
    checks,
    urls: (): Record<string, string> => (app?.server ? { History: localUrl(config.bindHost, app.server.port) } : {}),
  };
}
