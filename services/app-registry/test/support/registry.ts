import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import type { AppRegistry } from "../../src/app-registry";
import { createAppRegistry } from "../../src/app-registry";
import type { RegistryConfig } from "../../src/config";
import { loadConfig } from "../../src/config";
import type { Dialect, TestDatabase } from "./databases";
import { openTestDatabase } from "./databases";

export const DEVICE_REGISTRY_PATH = `${import.meta.dir}/../../../../config/device-registry.json`;

/** A registry config for tests: ephemeral ports, the repo's device types, no seeding; override the rest. */
export const testConfig = (
  overrides: Partial<RegistryConfig> & Pick<RegistryConfig, "sqlitePath">,
): RegistryConfig => ({
  ...loadConfig({}),
  httpPort: 0,
  rpcPort: 0,
  bindHost: "127.0.0.1",
  deviceRegistryPath: DEVICE_REGISTRY_PATH,
  seedExamples: "never",
  logLevel: "debug",
  ...overrides,
});

export interface TestRegistry extends AppRegistry {
  httpUrl: string;
  rpcUrl: string;
  db: TestDatabase;
  /** Every log line the registry wrote. */
  logs: string[];
  /** Stops the registry and drops its database. */
  close(): Promise<void>;
}

/** A real registry (REST + RPC on ephemeral ports), started, on its own database. */
export async function startTestRegistry(
  dialect: Dialect,
  opts: Partial<Omit<RegistryConfig, "databaseUrl" | "sqlitePath">> = {},
): Promise<TestRegistry> {
  const db = await openTestDatabase(dialect);
  const logs: string[] = [];
  const log = createLogger("app-registry", { level: "debug", write: (line) => logs.push(line) });
  try {
    const running = await createAppRegistry(testConfig({ ...db.config, ...opts }), { log, metrics: createMetrics() });
    await running.start();
    const urls = running.urls();
    return {
      ...running,
      httpUrl: urls["App Registry"]!,
      rpcUrl: urls["RPC (gRPC)"]!,
      db,
      logs,
      async close() {
        await running.stop();
        await db.drop();
      },
    };
  } catch (e) {
    await db.drop();
    throw e;
  }
}

/** A valid registration body; override what the test is about. */
export const registration = (overrides: Record<string, unknown> = {}) => ({
  name: `App ${crypto.randomUUID()}`,
  developer: "Test Developer",
  description: "An application under test",
  version: "1.0.0",
  contact_email: "dev@example.com",
  category: "monitoring",
  platform: "web",
  devicetypes: ["smart_breaker"],
  ...overrides,
});
