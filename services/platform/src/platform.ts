/**
 * Every service in one process: the registry, enrichment, the simulator and the dashboard, on
 * one bus: the in-process bus unless KAFKA_BROKERS names a broker. Each keeps its own port,
 * metrics and configuration, read from the same variables as when it runs alone.
 */
import { createAppRegistry, loadConfig as loadRegistryConfig } from "../../app-registry/src/index";
import { seedExamplesInto } from "../../app-registry/src/examples";
import { createDashboard } from "../../dashboard/src/dashboard";
import { readDashboardConfig } from "../../dashboard/src/config";
import { createEnrichment } from "../../enrichment/src/enrichment";
import { loadEnrichmentConfig } from "../../enrichment/src/config";
import { createSimulator } from "../../simulator/src/simulator";
import { checkDeviceTypes, loadSimulatorConfig } from "../../simulator/src/config";
import type { EventBus } from "@iot/common/bus";
import { createInProcessBus, createKafkaBusFromConfig } from "@iot/common/bus-config";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { envReader } from "@iot/common/env";
import type { Logger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { opsRoutes } from "@iot/common/ops-routes";

type Env = Record<string, string | undefined>;

export async function startPlatform(env: Env, log: Logger) {
  // Every configuration first, so a bad variable stops the start before anything listens.
  const registryConfig = loadRegistryConfig(env);
  const enrichmentConfig = loadEnrichmentConfig(env);
  const simulatorConfig = loadSimulatorConfig(env);
  const dashboardConfig = readDashboardConfig(envReader(env));
  const deviceRegistry = await loadDeviceRegistry(simulatorConfig.deviceRegistryPath);
  checkDeviceTypes(simulatorConfig, deviceRegistry);

  const undo: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const step of undo.reverse()) await step();
  };
  try {
    const registry = await createAppRegistry(registryConfig, { log: log.child({ component: "app-registry" }) });
    undo.push(() => registry.stop());
    await seedOnFirstRun(registry.registry, log);

    const bus: EventBus = enrichmentConfig.bus.brokers.length
      ? createKafkaBusFromConfig(enrichmentConfig.bus, "platform", log)
      : createInProcessBus(enrichmentConfig.bus, log);
    await bus.start();
    undo.push(() => bus.stop());

    const enrichmentMetrics = createMetrics();
    const enrichment = await createEnrichment(enrichmentConfig, { bus, log: log.child({ component: "enrichment" }), metrics: enrichmentMetrics });
    await enrichment.start();
    undo.push(() => enrichment.stop());
    const enrichmentOps = opsRoutes("enrichment", { checks: enrichment.checks }, enrichmentMetrics).listen(enrichmentConfig.port);
    undo.push(() => enrichmentOps.stop());

    const dashboard = createDashboard(dashboardConfig, { bus, log: log.child({ component: "dashboard" }), metrics: createMetrics() });
    await dashboard.start();
    undo.push(() => dashboard.stop());

    const simulatorMetrics = createMetrics();
    const simulator = createSimulator(simulatorConfig, { bus, log: log.child({ component: "simulator" }), metrics: simulatorMetrics, registry: deviceRegistry });
    const simulatorOps = opsRoutes("simulator", { checks: simulator.checks }, simulatorMetrics).listen(simulatorConfig.port);
    undo.push(() => simulatorOps.stop());
    simulator.start();
    undo.push(() => simulator.stop()); // stopped first: it flushes into a bus that is still running

    return {
      urls: {
        dashboard: `http://localhost:${dashboard.app.server?.port}`,
        registry: registry.httpUrl.replace("127.0.0.1", "localhost"),
        rpc: registry.rpcUrl.replace("127.0.0.1", "localhost"),
        openapi: `${registry.httpUrl.replace("127.0.0.1", "localhost")}/openapi`,
      },
      bus: bus.kind,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** The seed's example registrations, once: a registry that has any application is left as it is. */
async function seedOnFirstRun(registry: Awaited<ReturnType<typeof createAppRegistry>>["registry"], log: Logger) {
  const { total } = await registry.list({ limit: 1, offset: 0 });
  if (total > 0) return;
  await seedExamplesInto(registry);
  log.info("example registrations loaded (first run)");
}
