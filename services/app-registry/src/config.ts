/** The only reader of the environment. A bad value stops start-up with a message naming the variable. */
import { envReader } from "@iot/common/env";
import type { Level } from "@iot/common/logger";

export interface RegistryConfig {
  /** REST + OpenAPI; 0 picks a free port. */
  httpPort: number;
  /** Connect/gRPC/gRPC-Web over h2c; 0 picks a free port. */
  rpcPort: number;
  /** postgres://… selects PostgreSQL; unset selects the SQLite file. */
  databaseUrl?: string;
  sqlitePath: string;
  /** Unset: writes are accepted from loopback only. */
  adminToken?: string;
  deviceRegistryPath: string;
  logLevel: Level;
}

export function loadConfig(source: Record<string, string | undefined> = process.env): RegistryConfig {
  const env = envReader(source);
  const databaseUrl = env.optional("DATABASE_URL");
  // The URL may hold a password: name the variable, never echo the value.
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    env.problem("DATABASE_URL", "expected a postgres:// or postgresql:// URL (leave it unset for SQLite)");
  const config: RegistryConfig = {
    httpPort: env.port("REGISTRY_HTTP_PORT", 5002),
    rpcPort: env.port("REGISTRY_RPC_PORT", 50051),
    databaseUrl,
    sqlitePath: env.string("REGISTRY_DB_PATH", "data/app-registry.db"),
    adminToken: env.optional("REGISTRY_ADMIN_TOKEN"),
    deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
  };
  env.done();
  return config;
}
