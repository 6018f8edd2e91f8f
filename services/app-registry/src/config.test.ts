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
    deviceRegistryPath: "config/device-registry.json",
    seedExamples: "never",
    logLevel: "info",
  });
});

test("every variable is read", () => {
  const config = loadConfig({
    REGISTRY_HTTP_PORT: "0", REGISTRY_RPC_PORT: "6000", BIND_HOST: "0.0.0.0", DATABASE_URL: "postgresql://u@h/db", REGISTRY_DB_PATH: "/tmp/x.db",
    REGISTRY_ADMIN_TOKEN: "t", DEVICE_REGISTRY_PATH: "/etc/types.json", REGISTRY_SEED_EXAMPLES: "first-run", LOG_LEVEL: "debug",
  });
  expect(config).toEqual({
    httpPort: 0, rpcPort: 6000, bindHost: "0.0.0.0", databaseUrl: "postgresql://u@h/db", sqlitePath: "/tmp/x.db",
    adminToken: "t", deviceRegistryPath: "/etc/types.json", seedExamples: "first-run", logLevel: "debug",
  });
});

test("bad values fail together, each naming its variable, never echoing a database URL", () => {
  try {
    loadConfig({ REGISTRY_HTTP_PORT: "http", LOG_LEVEL: "loud", DATABASE_URL: "mysql://root:pw@db/x" });
    throw new Error("expected a ConfigError");
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const { problems } = e as ConfigError;
    expect(problems.map((p) => p.split(":")[0])).toEqual(["REGISTRY_HTTP_PORT", "DATABASE_URL", "LOG_LEVEL"]);
    expect(problems.join(" ")).not.toContain("pw");
  }
});
