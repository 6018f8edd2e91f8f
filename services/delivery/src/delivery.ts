/**
 * The delivery service, wired from its parts: the registry's applications (targets.ts), one webhook
 * channel per application with a webhook (webhook-channel.ts), stream sessions (streams.ts), and
 * one HTTP port for the stream, the status API, health and metrics. It consumes and publishes on
 * the bus it is given and never starts or stops it.
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import { createWriteGuard } from "@iot/app-registry/contract";
import type { EventBus } from "@iot/common/bus";
import { localUrl, serveOn } from "@iot/common/listen";
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { opsRoutes } from "@iot/common/ops-routes";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { Elysia } from "elysia";
import { type DeliveryConfig, loadConfig } from "./config";
import { createDeliveryStatus } from "./delivery-status";
import { createDecoder } from "./records";
import { statusRoutes } from "./http/status-routes";
import { streamRoute } from "./http/stream-route";
import { subscribeRoutes } from "./rpc/subscribe";
import { signedHeaders } from "./signature";
import { createStreams } from "./streams";
import { createTargets, type Target } from "./targets";
import { testEventBody } from "./test-event";
import { createWebhookChannel } from "./webhook-channel";
import { createWebhookSender } from "./webhook-sender";

const LAG_REFRESH_MS = 5_000;

type Channel = ReturnType<typeof createWebhookChannel>;

export async function createDelivery(config: DeliveryConfig, deps: { bus: EventBus; log: Logger; metrics: Metrics }) {
  const { bus, log } = deps;
  const status = createDeliveryStatus(deps.metrics);
  const send = createWebhookSender({ timeoutMs: config.timeoutMs, allowedHosts: config.allowedHosts });
  const decoder = createDecoder(config.decodedCache);
  const channels = new Map<string, Channel>();
  /** Each application's start/stop runs after the previous one, so a quick create-then-delete ends stopped. */
  const pending = new Map<string, Promise<void>>();

  const wantsWebhook = (t: Target | undefined) =>
    !!(t?.active && t.webhookUrl && t.webhookSecret && t.deviceTypes.size > 0);
  const groupOf = (appId: string) => `${config.groupPrefix}.${appId}.webhook`;

  const reconcileApp = (appId: string) => {
    const step = async () => {
      const want = wantsWebhook(targets.get(appId));
      const have = channels.get(appId);
      if (want && !have) {
        const channel = createWebhookChannel(appId, {
          bus,
          send,
          decoder,
          status,
          log,
          target: () => targets.get(appId),
          topics: config.bus.topics,
          groupId: groupOf(appId),
          batchSize: config.batchSize,
          lingerMs: config.lingerMs,
          fetchBytes: config.fetchKib * 1024,
          giveUpMs: config.giveUpMs,
          maxBackoffMs: config.maxBackoffMs,
        });
        channels.set(appId, channel);
        await channel.start().catch(async (e) => {
          channels.delete(appId);
          await channel.stop().catch(() => undefined);
          log.error("webhook channel failed to start", { app: appId, error: errorMessage(e) });
        });
      } else if (!want && have) {
        channels.delete(appId);
        await have.stop();
        log.info("webhook channel stopped", { app: appId });
      }
    };
    const next = (pending.get(appId) ?? Promise.resolve()).then(step, step);
    pending.set(appId, next);
    void next.finally(() => pending.get(appId) === next && pending.delete(appId));
  };

  const targets = createTargets({
    transport: createGrpcTransport({ baseUrl: config.registryRpcUrl }),
    registryUrl: config.registryUrl,
    adminToken: config.adminToken,
    log,
    onChange() {
      for (const id of new Set([...channels.keys(), ...targets.all().map((t) => t.id)])) reconcileApp(id);
      streams.revoke();
    },
  });
  const streams = createStreams({
    bus,
    targets,
    status,
    decoder,
    topic: config.bus.topics.enriched,
    groupPrefix: config.groupPrefix,
    lingerMs: config.lingerMs,
    queueLimit: config.streamQueue,
  });

  const sendTestEvent = async (appId: string) => {
    const t = targets.get(appId)!;
    const { id, body } = testEventBody(t);
    return send(
      t.webhookUrl!,
      body,
      signedHeaders(t.webhookSecret!, id, body, Date.now()),
      AbortSignal.timeout(config.timeoutMs),
    );
  };

  const checks = async () => ({ broker: await bus.ready(), registry: targets.current });
  const app = new Elysia()
    .use(opsRoutes("delivery", { checks }, deps.metrics))
    .use(statusRoutes({ status, targets, guard: createWriteGuard(config.adminToken), sendTestEvent }))
    .use(streamRoute(streams))
    .use(subscribeRoutes(streams));

  let lagTimer: ReturnType<typeof setInterval> | undefined;
  const refreshLag = async () => {
    const ids = [...channels.keys()];
    if (ids.length === 0 && streams.count === 0) return;
    const { topics, lag } = await bus.stats([config.bus.topics.enriched], ids.map(groupOf));
    for (const id of ids) {
      const s = status.get(id, "webhook");
      if (s) s.lag = lag.find((l) => l.groupId === groupOf(id))?.lag ?? 0;
    }
    for (const [id, behind] of streams.lag(topics[0]?.ends ?? [])) {
      const s = status.get(id, "stream");
      if (s) s.lag = behind;
    }
  };

  let url = "";
  const stop = async () => {
    clearInterval(lagTimer);
    streams.closeAll();
    if (app.server) await app.stop(true);
    await targets.stop();
    await Promise.allSettled(pending.values());
    // Each channel finishes (or abandons, uncommitted) the batch in hand.
    await Promise.all([...channels.values()].map((c) => c.stop()));
    channels.clear();
  };
  return {
    async start() {
      try {
        targets.start();
        app.listen({ ...serveOn(config.bindHost, config.port), idleTimeout: 0 });
        url = localUrl(config.bindHost, app.server?.port);
        lagTimer = setInterval(
          () => refreshLag().catch((e) => log.debug("lag refresh failed", { error: errorMessage(e) })),
          LAG_REFRESH_MS,
        );
      } catch (e) {
        await stop();
        throw e;
      }
      log.info("delivery started", { topic: config.bus.topics.enriched, url });
    },
    checks,
    stop,
    urls: () => ({ Delivery: url }),
    /** The applications whose webhook channel has joined its group. */
    webhookApps: () => [...channels].flatMap(([id, c]) => (c.started ? [id] : [])),
  } satisfies Service & { webhookApps: unknown };
}

export const deliveryService: ServiceDefinition<DeliveryConfig> = {
  name: "delivery",
  loadConfig: (env) => loadConfig(env),
  usesBus: true,
  create: (config, deps) => createDelivery(config, { ...deps, bus: deps.bus! }),
};
