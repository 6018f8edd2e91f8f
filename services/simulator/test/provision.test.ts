/** `--provision` against a real App Registry (REST on SQLite): the fleet's ids, idempotent, with the admin token. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AppRegistry, createAppRegistry, loadConfig as loadRegistryConfig } from "@iot/app-registry";
import { createInProcessBus } from "@iot/common/bus-config";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { loadConfig } from "../src/config";
import { createSimulator } from "../src/simulator";
import { loadRegistry } from "./support";

const ADMIN = "provision-test-admin-token";
const dir = mkdtempSync(join(tmpdir(), "provision-"));
let registry: AppRegistry;
let registryUrl: string;
beforeAll(async () => {
  const config = loadRegistryConfig({
    REGISTRY_DB_PATH: join(dir, "r.db"),
    REGISTRY_HTTP_PORT: "0",
    REGISTRY_RPC_PORT: "0",
    REGISTRY_ADMIN_TOKEN: ADMIN,
  });
  registry = await createAppRegistry(config, { log: quietLogger(), metrics: createMetrics() });
  await registry.start();
  registryUrl = registry.urls()["App Registry"]!;
});
afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts and stops a simulator with these settings; returns its tokens and log lines. */
async function runOnce(env: Record<string, string>, argv: string[]) {
  const config = loadConfig(
    { SIMULATOR_PORT: "0", REGISTRY_URL: registryUrl, SIM_DEVICES: "smart_breaker=12,smart_meter=2", ...env },
    argv,
  );
  const lines: string[] = [];
  const log = createLogger("simulator", { write: (l) => lines.push(l) });
  const bus = createInProcessBus(config.bus, log);
  const simulator = createSimulator(config, { bus, log, metrics: createMetrics(), registry: await loadRegistry() });
  try {
    await simulator.start();
    return { tokens: simulator.deviceTokens(), lines };
  } finally {
    await simulator.stop();
    await bus.stop();
  }
}

test("--provision registers the fleet's device ids once; a second start finds them unchanged; tokens are never logged", async () => {
  const first = await runOnce({ REGISTRY_ADMIN_TOKEN: ADMIN }, ["--provision"]);
  expect(first.tokens.size).toBe(14);
  const { devices, total } = await registry.devices.list({ limit: 100, offset: 0, labels: { source: "simulator" } });
  expect(total).toBe(14);
  expect(devices.map((d) => d.deviceId).sort()).toEqual([
    ...Array.from({ length: 12 }, (_, i) => `breaker-${String(i + 1).padStart(3, "0")}`),
    "meter-001",
    "meter-002",
  ]);
  expect(JSON.parse(first.lines.find((l) => l.includes("fleet provisioned"))!)).toMatchObject({
    created: 14,
    unchanged: 0,
    error: 0,
  });
  for (const token of first.tokens.values()) expect(first.lines.join("\n")).not.toContain(token);

  const again = await runOnce({ REGISTRY_ADMIN_TOKEN: ADMIN, SIM_PROVISION: "true" }, []);
  expect(again.tokens.size).toBe(0);
  expect(JSON.parse(again.lines.find((l) => l.includes("fleet provisioned"))!)).toMatchObject({
    created: 0,
    unchanged: 14,
    error: 0,
  });
});

test("without the flag nothing is registered; with a wrong admin token the start fails naming the registry's answer", async () => {
  const plain = await runOnce({ SIM_DEVICES: "environmental_sensor=3" }, []);
  expect(plain.lines.some((l) => l.includes("fleet provisioned"))).toBe(false);
  expect((await registry.devices.list({ limit: 10, offset: 0, deviceType: "environmental_sensor" })).total).toBe(0);
  const refused = await runOnce({ REGISTRY_ADMIN_TOKEN: "wrong" }, ["--provision"]).then(
    () => "started",
    (e: Error) => e.message,
  );
  expect(refused).toContain("HTTP 403");
});
