import { expect, test } from "bun:test";
import { ConfigError } from "@iot/common/env";
import { loadConfig } from "./config";

test("defaults: :5002, :50051 on loopback, SQLite at data/app-registry.db, no admin token", () => {
  expect(loadConfig({})).toEqual({
    httpPort: 5002,
    rpcPort: 50051,
    bindHost: "127.0.0.1",
    databaseUrl: undefined,
    sqlitePath: "data/app-registry.db",
    adminToken: undefined,
    allowedHosts: [],
    watchStreamsPerClient: 16,
    watchStreamsMax: 1000,
    rpcStreamsPerSession: 100,
    rpcIdleTimeoutMs: 60_000,
    rpcSessionTimeoutMs: 3_600_000,
    rpcSessionDrainMs: 600_000,
    deviceRegistryPath: "config/device-registry.json",
    seedExamples: "never",
    logLevel: "info",
  });
});

test("every variable is read", () => {
  const config = loadConfig({
    REGISTRY_HTTP_PORT: "0",
    REGISTRY_RPC_PORT: "6000",
    BIND_HOST: "0.0.0.0",
    DATABASE_URL: "postgresql://u@h/db",
    REGISTRY_DB_PATH: "/tmp/x.db",
    REGISTRY_ADMIN_TOKEN: "t",
    DEVICE_REGISTRY_PATH: "/etc/types.json",
    REGISTRY_SEED_EXAMPLES: "first-run",
    LOG_LEVEL: "debug",
    REGISTRY_ALLOWED_HOSTS: "registry.internal, 10.0.0.5,[fd00::1]",
    REGISTRY_WATCH_STREAMS_PER_CLIENT: "2",
    REGISTRY_WATCH_STREAMS_MAX: "20",
    REGISTRY_RPC_STREAMS_PER_SESSION: "8",
    REGISTRY_RPC_IDLE_TIMEOUT_MS: "500",
    REGISTRY_RPC_SESSION_TIMEOUT_MS: "9000",
    REGISTRY_RPC_SESSION_DRAIN_MS: "0",
  });
  expect(config).toEqual({
    httpPort: 0,
    rpcPort: 6000,
    bindHost: "0.0.0.0",
    databaseUrl: "postgresql://u@h/db",
    sqlitePath: "/tmp/x.db",
    adminToken: "t",
    deviceRegistryPath: "/etc/types.json",
    seedExamples: "first-run",
    logLevel: "debug",
    allowedHosts: ["registry.internal", "10.0.0.5", "[fd00::1]"],
    watchStreamsPerClient: 2,
    watchStreamsMax: 20,
    rpcStreamsPerSession: 8,
    rpcIdleTimeoutMs: 500,
    rpcSessionTimeoutMs: 9000,
    rpcSessionDrainMs: 0,
  });
});

test("bad values fail together, each naming its variable, never echoing a database URL", () => {
  try {
    loadConfig({
      REGISTRY_HTTP_PORT: "http",
      LOG_LEVEL: "loud",
      DATABASE_URL: "mysql://root:pw@db/x",
      REGISTRY_ALLOWED_HOSTS: "ok.example,evil.example/x",
    });
    throw new Error("expected a ConfigError");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const { problems } = e as ConfigError;
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "REGISTRY_HTTP_PORT",
      "DATABASE_URL",
      "REGISTRY_ALLOWED_HOSTS",
      "LOG_LEVEL",
    ]);
    expect(problems.join(" ")).not.toContain("pw");
  }
});
