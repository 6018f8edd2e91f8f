/** The only reader of the environment. A bad value stops start-up with a message naming the variable. */
import { env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { type StaticDecode, Type } from "@sinclair/typebox";

export const registryConfigSchema = Type.Object({
  /** REST + OpenAPI; 0 picks a free port. */
  httpPort: env.port("REGISTRY_HTTP_PORT", 5002),
  /** Connect/gRPC/gRPC-Web over h2c; 0 picks a free port. */
  rpcPort: env.port("REGISTRY_RPC_PORT", 50051),
  /** Both ports listen here. */
  bindHost: bindHostSchema,
  /** postgres://… selects PostgreSQL; unset selects the SQLite file. The URL may hold a password: never echoed. */
  databaseUrl: env.optional("DATABASE_URL", {
    pattern: "^postgres(ql)?://",
    expected: "a postgres:// or postgresql:// URL (leave it unset for SQLite)",
    secret: true,
  }),
  sqlitePath: env.string("REGISTRY_DB_PATH", "data/app-registry.db"),
  /** Unset: writes are accepted from loopback only. */
  adminToken: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  /** Host names besides localhost, 127.0.0.1, [::1] and the bound address that callers may use (DNS-rebinding defence). */
  allowedHosts: env.list("REGISTRY_ALLOWED_HOSTS", [], {
    pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]+|[A-Za-z0-9.-]+)$",
    expected: "comma-separated host names or IP addresses",
  }),
  /** Open Watch streams one client address may hold, and all clients together; beyond: ResourceExhausted. */
  watchStreamsPerClient: env.int("REGISTRY_WATCH_STREAMS_PER_CLIENT", 16, { min: 1 }),
  watchStreamsMax: env.int("REGISTRY_WATCH_STREAMS_MAX", 1000, { min: 1 }),
  /** Concurrent requests on one HTTP/2 connection to the RPC port; beyond: 429 / ResourceExhausted. */
  rpcStreamsPerSession: env.int("REGISTRY_RPC_STREAMS_PER_SESSION", 100, { min: 1 }),
  /** An RPC connection with no open request for this long is closed. */
  rpcIdleTimeoutMs: env.int("REGISTRY_RPC_IDLE_TIMEOUT_MS", 60_000, { min: 1 }),
  /** An RPC connection older than this takes no new requests; its open streams (Watch) are cut `rpcSessionDrainMs` later. */
  rpcSessionTimeoutMs: env.int("REGISTRY_RPC_SESSION_TIMEOUT_MS", 3_600_000, { min: 1 }),
  rpcSessionDrainMs: env.int("REGISTRY_RPC_SESSION_DRAIN_MS", 600_000, { min: 0 }),
  deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
  /** `first-run`: load the example registrations into an empty registry at start (`bun run start` sets it). */
  seedExamples: env.oneOf("REGISTRY_SEED_EXAMPLES", ["never", "first-run"] as const, "never"),
  logLevel: logLevelSchema,
});

export type RegistryConfig = StaticDecode<typeof registryConfigSchema>;

export const loadConfig = (source: Env = process.env): RegistryConfig => loadEnv(registryConfigSchema, source);
