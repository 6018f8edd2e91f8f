/**
 * The whole registry (database, REST, RPC) as one service: `create` opens the database and watches
 * the device types, `start` listens, `stop` closes everything, newest first. Used by `main.ts`
 * (through `runAlone`), the all-in-one start and tests.
 */
import { watchDeviceRegistry } from "@iot/common/device-registry";
import { localUrl, serveOn } from "@iot/common/listen";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import type { Service, ServiceDefinition } from "@iot/common/service";
import { createAdminCheck, createWriteGuard } from "./auth";
import type { ChangeFeed } from "./change-feed";
import { loadConfig, type RegistryConfig } from "./config";
import { openDeviceRepository, openRepository } from "./db/open";
import type { DeviceChange } from "./devices/device";
import type { Devices } from "./devices/devices";
import { createDevices } from "./devices/devices";
import { openChangeFeeds } from "./feeds";
import { seedExamplesOnFirstRun } from "./examples";
import { createHostAllowList } from "./host-allow-list";
import { createHttpApp } from "./http/app";
import { MAX_BULK_BYTES } from "./http/device-bulk-body";
import { MAX_BODY_BYTES } from "./http/json-body";
import type { Registry } from "./registry";
import { createRegistry } from "./registry";
import type { RpcLimits } from "./rpc/server";
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
  /** Devices: the same rules as REST and RPC. */
  devices: Devices;
  /** Every committed device change (credentials); what WatchDevices streams. */
  deviceChanges: ChangeFeed<DeviceChange>;
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
    const deviceRepo = openDeviceRepository(config);
    undo.push(() => deviceRepo.close());
    const feeds = await openChangeFeeds(config.databaseUrl, (id) => repo.get(id), log);
    undo.push(() => feeds.close());
    const { applications: changes, devices: deviceChanges } = feeds;
    const registry = createRegistry({ repo, feed: changes });
    metrics.gauge("app_registry_watch_streams", "Open WatchApplications streams.", () => registry.watchStreams());
    metrics.gauge("app_registry_device_watch_streams", "Open WatchDevices streams.", () => deviceChanges.subscribers);
    const devices = createDevices({
      repo: deviceRepo,
      feed: deviceChanges,
      knownType: (type) => deviceRegistry.get().types.has(type),
    });
    const guard = createWriteGuard(config.adminToken);
    const isAdmin = createAdminCheck(config.adminToken);
    const hosts = createHostAllowList(config.allowedHosts);
    const http = createHttpApp({
      registry,
      devices,
      guard,
      isAdmin,
      hosts,
      deviceTypes: () => [...deviceRegistry.get().types.values()],
      log,
      metrics,
    });
    let rpcPort: number | undefined;

    const urls = () => {
      const api = localUrl(config.bindHost, http.server?.port);
      return { "App Registry": api, OpenAPI: `${api}/openapi`, "RPC (gRPC)": localUrl(config.bindHost, rpcPort) };
    };
    return {
      registry,
      changes,
      devices,
      deviceChanges,
      async start() {
        try {
          if (config.seedExamples === "first-run" && (await seedExamplesOnFirstRun(registry)))
            log.info("example registrations loaded (first run)");
          // Bun's own cap is a backstop; readJson answers 413 with a JSON body below it.
          http.listen({
            ...serveOn(config.bindHost, config.httpPort),
            maxRequestBodySize: Math.max(4 * MAX_BODY_BYTES, 2 * MAX_BULK_BYTES),
          });
          undo.push(() => http.stop(true));
          const rpc = await startRpcServer({ port: config.rpcPort, host: config.bindHost }, rpcLimits(config), {
            registry,
            devices,
            guard,
            isAdmin,
            hosts,
            log,
            metrics,
          });
          rpcPort = rpc.port;
          undo.push(() => rpc.close());
          // The address each server is bound to is a name callers may use too (a wildcard never is).
          for (const address of [http.server?.hostname, rpc.address]) if (address) hosts.add(address);
        } catch (e) {
          await unwind();
          throw e;
        }
        const { "App Registry": api, "RPC (gRPC)": rpc } = urls();
        log.info("app registry started", {
          http: api,
          rpc,
          database: config.databaseUrl ? "postgresql" : config.sqlitePath,
        });
      },
      stop: unwind,
      async checks() {
        return {
          database: await registry.ready().then(
            () => true,
            () => false,
          ),
        };
      },
      urls,
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}

const rpcLimits = (config: RegistryConfig): RpcLimits => ({
  sessions: {
    maxStreams: config.rpcStreamsPerSession,
    idleMs: config.rpcIdleTimeoutMs,
    maxAgeMs: config.rpcSessionTimeoutMs,
    drainMs: config.rpcSessionDrainMs,
  },
  watches: { perClient: config.watchStreamsPerClient, total: config.watchStreamsMax },
});

export const appRegistryService: ServiceDefinition<RegistryConfig> = {
  name: "app-registry",
  loadConfig: (env) => loadConfig(env),
  usesBus: false,
  create: (config, deps) => createAppRegistry(config, deps),
};
