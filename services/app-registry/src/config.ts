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
  databaseUrl: env.optional("DATABASE_URL", { pattern: "^postgres(ql)?://", expected: "a postgres:// or postgresql:// URL (leave it unset for SQLite)", secret: true }),
  sqlitePath: env.string("REGISTRY_DB_PATH", "data/app-registry.db"),
  /** Unset: writes are accepted from loopback only. */
  adminToken: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
  /** `first-run`: load the example registrations into an empty registry at start (`bun run start` sets it). */
  seedExamples: env.oneOf("REGISTRY_SEED_EXAMPLES", ["never", "first-run"] as const, "never"),
  logLevel: logLevelSchema,
});

export type RegistryConfig = StaticDecode<typeof registryConfigSchema>;

export const loadConfig = (source: Env = process.env): RegistryConfig => loadEnv(registryConfigSchema, source);
