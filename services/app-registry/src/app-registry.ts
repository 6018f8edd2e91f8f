/** The whole registry (database, REST, RPC) as one start/stop unit: used by main.ts, the all-in-one and tests. */
import { watchDeviceRegistry } from "@iot/common/device-registry";
import type { Logger } from "@iot/common/logger";
import { createLogger, errorMessage } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import { createMetrics } from "@iot/common/metrics";
import { createWriteGuard } from "./auth";
import type { ChangeFeed } from "./change-feed";
import { createChangeFeed } from "./change-feed";
import type { RegistryConfig } from "./config";
import { openRepository } from "./db/open";
import { createHttpApp } from "./http/app";
import { MAX_BODY_BYTES } from "./http/json-body";
import type { Registry } from "./registry";
import { createRegistry } from "./registry";
import { startRpcServer } from "./rpc/server";

export interface AppRegistryDeps {
  log?: Logger;
  /** Shared with other services in one process; metric names are prefixed `app_registry_`. */
  metrics?: Metrics;
}

export interface RunningAppRegistry {
  httpUrl: string;
  rpcUrl: string;
  /** The domain, for in-process callers (same rules as REST and RPC). */
  registry: Registry;
  /** Every committed change; what WatchApplications streams. */
  changes: ChangeFeed;
  stop(): Promise<void>;
}

export async function createAppRegistry(config: RegistryConfig, deps: AppRegistryDeps = {}): Promise<RunningAppRegistry> {
  const log = deps.log ?? createLogger("app-registry", { level: config.logLevel });
  const metrics = deps.metrics ?? createMetrics();
  // Undo what started, newest first, whether stopping or failing half-way through starting.
  const undo: Array<() => unknown> = [];
  const unwind = async () => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    const deviceRegistry = await watchDeviceRegistry(config.deviceRegistryPath, log);
    undo.push(() => deviceRegistry.close());
    const repo = await openRepository(config);
    undo.push(() => repo.close());
    const changes = createChangeFeed((e) => log.error("change listener failed", { error: errorMessage(e) }));
    undo.push(() => changes.close());
    metrics.gauge("app_registry_watch_streams", "Open WatchApplications streams.", () => changes.subscribers);
    const registry = createRegistry({ repo, feed: changes });
    const guard = createWriteGuard(config.adminToken);

    const http = createHttpApp({ registry, guard, deviceTypes: () => [...deviceRegistry.get().types.values()], log, metrics });
    // Bun's own cap is a backstop; readJson answers 413 with a JSON body below it.
    http.listen({ port: config.httpPort, maxRequestBodySize: 4 * MAX_BODY_BYTES });
    undo.push(() => http.stop(true));
    const rpc = await startRpcServer(config.rpcPort, { registry, guard, log, metrics });
    undo.push(() => rpc.close());

    const running = {
      httpUrl: `http://127.0.0.1:${http.server!.port}`,
      rpcUrl: `http://127.0.0.1:${rpc.port}`,
      registry,
      changes,
      stop: unwind,
    };
    log.info("app registry started", { http: running.httpUrl, rpc: running.rpcUrl, database: config.databaseUrl ? "postgresql" : config.sqlitePath });
    return running;
  } catch (e) {
    await unwind();
    throw e;
  }
}
