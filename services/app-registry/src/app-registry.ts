/**
 * The whole registry (database, REST, RPC) as one service: `create` opens the database and watches
 * the device types, `start` listens, `stop` closes everything, newest first. Used by `main.ts`
 * (through `runAlone`), the all-in-one start and tests.
 */
import { watchDeviceRegistry } from "@iot/common/device-registry";
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { createWriteGuard } from "./auth";
import type { ChangeFeed } from "./change-feed";
import { createChangeFeed } from "./change-feed";
import { loadConfig, type RegistryConfig } from "./config";
import { openRepository } from "./db/open";
import { seedExamplesOnFirstRun } from "./examples";
import { createHttpApp } from "./http/app";
import { MAX_BODY_BYTES } from "./http/json-body";
import type { Registry } from "./registry";
import { createRegistry } from "./registry";
import { startRpcServer } from "./rpc/server";

export interface AppRegistryDeps {
  log: Logger;
  /** Metric names are prefixed `app_registry_`. */
  metrics: Metrics;
}

export interface AppRegistry extends Service {
  /** The domain, for in-process callers (same rules as REST and RPC). */
  registry: Registry;
  /** Every committed change; what WatchApplications streams. */
  changes: ChangeFeed;
}

export async function createAppRegistry(config: RegistryConfig, deps: AppRegistryDeps): Promise<AppRegistry> {
  const { log, metrics } = deps;
  // Undo what was opened, newest first, whether stopping or failing half-way through.
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
    const registry = createRegistry({ repo, feed: changes });
    metrics.gauge("app_registry_watch_streams", "Open WatchApplications streams.", () => registry.watchStreams());
    const guard = createWriteGuard(config.adminToken);
    const http = createHttpApp({ registry, guard, deviceTypes: () => [...deviceRegistry.get().types.values()], log, metrics });
    let rpcPort: number | undefined;

    const urls = () => {
      const api = `http://127.0.0.1:${http.server?.port}`;
      return { "App Registry": api, OpenAPI: `${api}/openapi`, "RPC (gRPC)": `http://127.0.0.1:${rpcPort}` };
    };
    return {
      registry,
      changes,
      async start() {
        try {
          if (config.seedExamples === "first-run" && (await seedExamplesOnFirstRun(registry))) log.info("example registrations loaded (first run)");
          // Bun's own cap is a backstop; readJson answers 413 with a JSON body below it.
          http.listen({ port: config.httpPort, maxRequestBodySize: 4 * MAX_BODY_BYTES });
          undo.push(() => http.stop(true));
          const rpc = await startRpcServer(config.rpcPort, { registry, guard, log, metrics });
          rpcPort = rpc.port;
          undo.push(() => rpc.close());
        } catch (e) {
          await unwind();
          throw e;
        }
        const { "App Registry": api, "RPC (gRPC)": rpc } = urls();
        log.info("app registry started", { http: api, rpc, database: config.databaseUrl ? "postgresql" : config.sqlitePath });
      },
      stop: unwind,
      async checks() {
        return { database: await registry.ready().then(() => true, () => false) };
      },
      urls,
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}

export const appRegistryService: ServiceDefinition<RegistryConfig> = {
  name: "app-registry",
  loadConfig: (env) => loadConfig(env),
  usesBus: false,
  create: (config, deps) => createAppRegistry(config, deps),
};
