/**
 * The enrichment service, wired from its parts, with its own health/metrics port; `main.ts` (through
 * `runAlone`) and the all-in-one start use this. It consumes and publishes on the bus it is given
 * and never starts or stops it.
 */
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { EventBus, Subscription } from "@iot/common/bus";
import { watchDeviceRegistry } from "@iot/common/device-registry";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { createOpsServer } from "@iot/common/ops-server";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { type EnrichmentConfig, loadConfig } from "./config";
import { buildProfiles, type Profiles } from "./device-profile";
import { createEnrichmentMetrics } from "./enrichment-metrics";
import { createPipeline } from "./pipeline";
import { createRegistrations } from "./registrations";

export const SERVICE_NAME = "iot-enrichment-service";
export const SERVICE_VERSION = "1.0.0";
const LAG_REFRESH_MS = 5_000;
/**
 * How long `start` waits for the registrations' first snapshot before consuming anyway (records are
 * then enriched marked not current until the registry answers; /readyz says so). Without the wait the
 * first records after every start would be marked not current while the snapshot is on its way.
 */
const FIRST_SYNC_WAIT_MS = 10_000;

export async function createEnrichment(
  config: EnrichmentConfig,
  deps: { bus: EventBus; log: Logger; metrics: Metrics },
) {
  const { bus, log } = deps;
  const deviceRegistry = await watchDeviceRegistry(config.deviceRegistryPath, log);
  const registrations = createRegistrations({
    transport: createGrpcTransport({ baseUrl: config.registryRpcUrl }),
    log,
    relistMs: config.relistMs,
  });
  let lag = 0;
  const metrics = createEnrichmentMetrics(deps.metrics, {
    registryAgeSeconds: () => Math.min(registrations.age(), 1e12) / 1000,
    registryCurrent: () => (registrations.current ? 1 : 0),
    lag: () => lag,
  });

  let profiles: Profiles = buildProfiles(deviceRegistry.get());
  let profilesOf = deviceRegistry.get();
  const context = () => {
    if (deviceRegistry.get() !== profilesOf)
      [profilesOf, profiles] = [deviceRegistry.get(), buildProfiles(deviceRegistry.get())];
    return { profiles, registrations: registrations.lookup, service: SERVICE_NAME, version: SERVICE_VERSION };
  };
  const handler = createPipeline({
    bus,
    topics: config.bus.topics,
    format: config.format,
    maxMessageBytes: config.maxMessageBytes,
    context,
    metrics,
    log,
  });

  const checks = async () => ({ broker: await bus.ready(), registry: registrations.current });
  const ops = createOpsServer("enrichment", { port: config.port, host: config.bindHost }, { checks }, deps.metrics);
  let subscription: Subscription | undefined;
  let lagTimer: ReturnType<typeof setInterval> | undefined;
  const refreshLag = async () => {
    const { lag: groups } = await bus.stats([config.bus.topics.raw], [config.groupId]);
    lag = groups.reduce((n, g) => n + g.lag, 0);
  };

  const stop = async () => {
    await ops.stop();
    clearInterval(lagTimer);
    await subscription?.stop(); // finishes the batch in hand and commits it
    subscription = undefined;
    await registrations.stop();
    deviceRegistry.close();
  };
  return {
    registrations,
    async start() {
      try {
        registrations.start();
        if (!(await registrations.synced(FIRST_SYNC_WAIT_MS)))
          log.warn("no registrations from the registry yet; consuming, records marked not current until it answers", {
            registry: config.registryRpcUrl,
          });
        subscription = await bus.subscribe({
          groupId: config.groupId,
          topics: [config.bus.topics.raw],
          fromBeginning: config.fromBeginning,
          handler,
        });
        lagTimer = setInterval(
          () => refreshLag().catch((e) => log.debug("lag refresh failed", { error: String(e) })),
          LAG_REFRESH_MS,
        );
        ops.start();
      } catch (e) {
        await stop();
        throw e;
      }
      log.info("enrichment consuming", { topic: config.bus.topics.raw, group: config.groupId, format: config.format });
    },
    checks,
    stop,
    urls: () => ({ Enrichment: ops.url() }),
  } satisfies Service & { registrations: unknown };
}

export const enrichmentService: ServiceDefinition<EnrichmentConfig> = {
  name: "enrichment",
  loadConfig: (env) => loadConfig(env),
  usesBus: true,
  create: (config, deps) => createEnrichment(config, { ...deps, bus: deps.bus! }),
};
