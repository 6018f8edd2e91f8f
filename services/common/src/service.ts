/**
 * The one shape every service has. A service is described by a `ServiceDefinition`: its name, its
 * config loader (the only reader of env) and a factory. The factory builds a `Service` without
 * listening or consuming (it may open a database or read a file); `start()` opens its ports and
 * consumers; `stop()` stops consuming, flushes, commits and closes everything the service opened,
 * in `create` too, so a service that was built but never started is released by `stop()`.
 * A service never starts or stops a bus it was given: whoever created the bus (a service's
 * `main.ts` through `runAlone`, or `bun run start`) owns it.
 *
 * `main.ts` of a service is `runAlone(definition)`; `bun run start` loops over the definitions
 * (`services/platform/src/platform.ts`): a new service is one line in that list.
 */
import type { EventBus } from "./bus";
import type { Env } from "./env";
import type { Logger } from "./logger";
import type { Metrics } from "./metrics";

export interface ServiceDeps {
  /** Started by the caller; the service only publishes and subscribes. Absent for `usesBus: false`. */
  bus?: EventBus;
  log: Logger;
  /** This service's own registry, rendered on its own `/metrics`. */
  metrics: Metrics;
}

export interface Service {
  /** Opens ports, joins consumer groups. Throws (after undoing what it opened) when it cannot. */
  start(): Promise<void>;
  /** Stops consuming, lets the batch in hand finish and commit, closes its servers. Idempotent; safe before `start`. */
  stop(): Promise<void>;
  /** Each dependency's state for `/readyz`; ready when all are true. */
  checks(): Promise<Record<string, boolean>>;
  /** Where it listens once started (label → URL), for logs and the start banner. */
  urls(): Record<string, string>;
  /** Set by services that can end by themselves (the simulator's --count/--duration). */
  finished?: Promise<void>;
}

export interface ServiceDefinition<C = unknown> {
  /** kebab-case; the logger's service name and the Kafka client id. */
  name: string;
  /** Validates every variable it reads; throws a ConfigError naming each bad one. */
  loadConfig(env: Env, argv?: string[]): C;
  /** False for services that never touch the bus (the App Registry). */
  usesBus: boolean;
  create(config: C, deps: ServiceDeps): Service | Promise<Service>;
}
