/**
 * A service's `main.ts`: load its config, build the Kafka bus it needs, start it, and stop it
 * cleanly on SIGTERM/SIGINT (or when it finishes by itself). A bad variable exits 1 naming it.
 */
import type { EventBus } from "./bus";
import { type BusConfig, createKafkaBusFromConfig } from "./bus-config";
import { ConfigError } from "./env";
import { createLogger, errorMessage, type Level } from "./logger";
import { createMetrics } from "./metrics";
import type { Service, ServiceDefinition } from "./service";
import { onShutdown } from "./shutdown";

export interface BaseConfig {
  logLevel: Level;
  bus?: BusConfig;
}

export async function runAlone<C extends BaseConfig>(
  def: ServiceDefinition<C>,
  env = process.env,
  argv = Bun.argv.slice(2),
) {
  const boot = createLogger(def.name);
  let bus: EventBus | undefined;
  let service: Service | undefined;
  try {
    const config = def.loadConfig(env, argv);
    const log = createLogger(def.name, { level: config.logLevel });
    if (def.usesBus) {
      if (!config.bus) throw new Error(`${def.name} uses the bus but its config has no bus settings`);
      bus = createKafkaBusFromConfig(config.bus, def.name, log);
      await bus.start();
    }
    service = await def.create(config, { bus, log, metrics: createMetrics() });
    const started = service;
    const stop = async () => {
      await started.stop();
      await bus?.stop();
    };
    await service.start();
    // Registered before "ready" is logged: a supervisor that signals as soon as it reads it gets a clean stop.
    onShutdown(stop, log);
    log.info(`${def.name} ready`, service.urls());
    // A service that ends by itself (--count, --duration) stops like a SIGTERM.
    void service.finished?.then(async () => {
      await stop();
      log.info("stopped");
      process.exit(0);
    });
  } catch (e) {
    // Release what was opened (a half-started Kafka client would keep the process alive); the start error is the one reported.
    await service?.stop().catch(() => undefined);
    await bus?.stop().catch(() => undefined);
    boot.error(e instanceof ConfigError ? e.message : `${def.name} failed to start`, { error: errorMessage(e) });
    process.exit(1);
  }
}
