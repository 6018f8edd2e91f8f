/** A real App Registry for the dashboard's tests: the registry's own factory, on a temporary SQLite file and free ports. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { createAppRegistry, loadConfig } from "@iot/app-registry";

export async function startRegistry(adminToken: string) {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-registry-"));
  const running = await createAppRegistry(
    loadConfig({
      REGISTRY_HTTP_PORT: "0",
      REGISTRY_RPC_PORT: "0",
      REGISTRY_DB_PATH: join(dir, "registry.db"),
      REGISTRY_ADMIN_TOKEN: adminToken,
      DEVICE_REGISTRY_PATH: join(import.meta.dir, "../../../config/device-registry.json"),
    }),
    { log: quietLogger(), metrics: createMetrics() },
  );
  await running.start();
  return {
    url: running.urls()["App Registry"]!,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
