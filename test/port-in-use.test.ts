/**
 * A service started on a port another copy already serves fails to start, naming the port, instead of
 * coming up beside it with the kernel splitting connections between the two (Elysia's SO_REUSEPORT).
 */
import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quietLogger } from "@iot/common/testing";
import { freePort } from "@iot/common/testing-process";
import { SERVICES, startPlatform } from "../services/platform/src/platform";

/** The HTTP port each service listens on (the registry's REST, ingest's HTTP). */
const HTTP_PORT: Record<string, string> = {
  "app-registry": "REGISTRY_HTTP_PORT",
  enrichment: "ENRICHMENT_PORT",
  delivery: "DELIVERY_PORT",
  ingest: "INGEST_HTTP_PORT",
  alarms: "ALARMS_PORT",
  history: "HISTORY_PORT",
  dashboard: "DASHBOARD_PORT",
  simulator: "SIMULATOR_PORT",
};

test("every service refuses an HTTP port a first copy of it already listens on", async () => {
  expect(SERVICES.map((d) => d.name).sort()).toEqual(Object.keys(HTTP_PORT).sort());
  const dir = mkdtempSync(join(tmpdir(), "port-in-use-"));
  // A registry the others sync from at start (enrichment and ingest wait for it).
  const ports = { http: await freePort(), rpc: await freePort() };
  const registry = await startPlatform(
    {
      KAFKA_BROKERS: "",
      REGISTRY_DB_PATH: join(dir, "registry.db"),
      REGISTRY_HTTP_PORT: String(ports.http),
      REGISTRY_RPC_PORT: String(ports.rpc),
    },
    quietLogger(),
    SERVICES.filter((d) => d.name === "app-registry"),
  );
  try {
    for (const def of SERVICES) {
      const port = String(await freePort());
      // Each copy has its own files and other ports; only the HTTP port is shared.
      const env = async (copy: string) => ({
        KAFKA_BROKERS: "",
        REGISTRY_URL: `http://127.0.0.1:${ports.http}`,
        REGISTRY_RPC_URL: `http://127.0.0.1:${ports.rpc}`,
        SIM_PROVISION: "false",
        SIM_TRANSPORT: "kafka",
        REGISTRY_DB_PATH: join(dir, `${def.name}-${copy}-registry.db`),
        ALARMS_DB_PATH: join(dir, `${def.name}-${copy}-alarms.db`),
        HISTORY_DB_PATH: join(dir, `${def.name}-${copy}-history.db`),
        REGISTRY_RPC_PORT: String(await freePort()),
        INGEST_MQTT_PORT: String(await freePort()),
        [HTTP_PORT[def.name]!]: port,
      });
      const first = await startPlatform(await env("first"), quietLogger(), [def]);
      try {
        const second = await startPlatform(await env("second"), quietLogger(), [def]).catch((e: Error) => e);
        if (!(second instanceof Error)) await second.stop();
        const outcome = second instanceof Error ? second.message : "the second copy started";
        expect([def.name, outcome]).toEqual([def.name, expect.stringContaining(`port ${port} in use`)]);
      } finally {
        await first.stop();
      }
    }
  } finally {
    await registry.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
