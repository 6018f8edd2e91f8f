/** A real App Registry for the dashboard's tests: the registry's own factory, on a temporary SQLite file and free ports. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quietLogger } from "@iot/common/testing";
import { createAppRegistry } from "@iot/app-registry";

export async function startRegistry(adminToken: string) {
  const dir = mkdtempSync(join(tmpdir(), "dashboard-registry-"));
  const running = await createAppRegistry(
    { httpPort: 0, rpcPort: 0, sqlitePath: join(dir, "registry.db"), adminToken, deviceRegistryPath: join(import.meta.dir, "../../../config/device-registry.json"), logLevel: "error" },
    { log: quietLogger() },
  );
  return {
    url: running.httpUrl,
    async stop() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
