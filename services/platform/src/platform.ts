/**
 * Every service in one process, on one bus: the in-process bus unless KAFKA_BROKERS names a broker.
 * Each keeps its own ports, metrics and configuration, read from the same variables as when it runs
 * alone; what only `bun run start` does is an embedded default of a service's own setting. The
 * platform owns the bus: it starts it before the services and stops it after them.
 */
import { alarmsDefinition } from "../../alarms/src/alarms";
import { history } from "../../history/src/index";
import { appRegistryService } from "@iot/app-registry";
import type { EventBus } from "@iot/common/bus";
import { createInProcessBus, createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import { ConfigError, type Env } from "@iot/common/env";
import type { Logger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { dashboardService } from "../../dashboard/src/dashboard";
import { deliveryService } from "../../delivery/src/delivery";
import { enrichmentService } from "../../enrichment/src/enrichment";
import { ingestService } from "../../ingest/src/ingest";
import { localServiceUrls } from "./local-urls";
import { simulatorService } from "../../simulator/src/simulator";

/** In start order (each one's dependencies before it); stopping runs backwards, so the simulator flushes into a running bus. */
export const SERVICES: ServiceDefinition<unknown>[] = [
  appRegistryService,
  enrichmentService,
  deliveryService,
  ingestService,
  alarmsDefinition,
  history,
  dashboardService,
  simulatorService,
];

/** Settings only `bun run start` changes, each applied only where the user did not set the variable. */
export const EMBEDDED_DEFAULTS: Env = {
  REGISTRY_SEED_EXAMPLES: "first-run",
  // The person at this machine who started the platform may change it from a local browser; the
  // network (BIND_HOST opens it) only reads unless operators are configured.
  DASHBOARD_LOOPBACK_OPERATOR: "true",
  // 1883 is left to a local MQTT broker (these machines run Mosquitto there); the start banner shows the port.
  INGEST_MQTT_PORT: "1884",
  // The simulator registers its devices (idempotent), so ingest accepts them with no manual step.
  SIM_PROVISION: "true",
  // The path a newcomer sees: device → MQTT → ingest → iot.raw.
  SIM_TRANSPORT: "mqtt",
};

export interface Platform {
  bus: EventBus["kind"];
  services: Service[];
  /** The embedded defaults and derived local URLs this start applied (those the user did not set). */
  applied: Env;
  stop(): Promise<void>;
}

export async function startPlatform(source: Env, log: Logger, definitions = SERVICES): Promise<Platform> {
  const env: Env = Object.create(source);
  const applied: Env = {};
  for (const [name, value] of Object.entries(EMBEDDED_DEFAULTS))
    if (!source[name]?.trim()) env[name] = applied[name] = value;
  for (const [name, value] of Object.entries(localServiceUrls(env))) env[name] = applied[name] = value;

  // Every configuration first, so a bad variable stops the start before anything listens.
  const configs = loadAll(definitions, env);
  const busConfig = loadBusConfig(env);
  const bus =
    busConfig.brokers.length > 0
      ? createKafkaBusFromConfig(busConfig, "platform", log)
      : createInProcessBus(busConfig, log);

  const undo: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    await bus.start();
    undo.push(() => bus.stop());
    // All built before any starts: a check that needs a file (the simulator's device types) fails before a port opens.
    const services: Service[] = [];
    for (const [i, def] of definitions.entries()) {
      const service = await def.create(configs[i], {
        bus: def.usesBus ? bus : undefined,
        log: log.child({ component: def.name }),
        metrics: createMetrics(),
      });
      undo.push(() => service.stop());
      services.push(service);
    }
    for (const service of services) await service.start();
    return { bus: bus.kind, services, applied, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Each service's config, or one ConfigError naming every bad variable (once, however many services read it). */
function loadAll(definitions: ServiceDefinition<unknown>[], env: Env): unknown[] {
  const problems = new Set<string>();
  const configs = definitions.map((def) => {
    try {
      return def.loadConfig(env);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      e.problems.forEach((p) => problems.add(p));
    }
  });
  if (problems.size > 0) throw new ConfigError([...problems]);
  return configs;
}
