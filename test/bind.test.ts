/** Every listener of `bun run start` is on loopback unless BIND_HOST opens it. */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { quietLogger } from "@iot/common/testing";
import { freePort } from "@iot/common/testing-process";
import { type Platform, SERVICES, startPlatform } from "../services/platform/src/platform";

// This machine's address on its network, the one another host (or a rebinding page) would dial.
const external = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && !a.internal && a.family === "IPv4")?.address;
const dir = mkdtempSync(join(tmpdir(), "bind-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function platformWith(env: Record<string, string>): Promise<Platform> {
  const [dashboard, http, rpc, enrichment, simulator, ingestHttp, ingestMqtt] = await Promise.all(
    Array.from({ length: 7 }, freePort),
  );
  return startPlatform(
    {
      KAFKA_BROKERS: "",
      REGISTRY_DB_PATH: join(dir, `${crypto.randomUUID()}.db`),
      DASHBOARD_PORT: String(dashboard),
      REGISTRY_HTTP_PORT: String(http),
      REGISTRY_RPC_PORT: String(rpc),
      ENRICHMENT_PORT: String(enrichment),
      SIMULATOR_PORT: String(simulator),
      DELIVERY_PORT: "0",
      ALARMS_PORT: "0",
      HISTORY_PORT: "0",
      INGEST_HTTP_PORT: String(ingestHttp),
      INGEST_MQTT_PORT: String(ingestMqtt),
      ...env,
    },
    quietLogger(),
  );
}

const portsOf = (p: Platform) => [
  ...new Set(p.services.flatMap((s) => Object.values(s.urls())).map((u) => Number(new URL(u).port))),
];

const answers = (hostname: string, port: number) =>
  Bun.connect({ hostname, port, socket: { data() {} } }).then(
    (s) => (s.end(), true),
    () => false,
  );

test("by default every port (dashboard, registry REST and RPC, ops ports) answers on loopback only", async () => {
  if (!external) throw new Error("this test needs a non-loopback IPv4 address on this machine");
  const platform = await platformWith({});
  try {
    const ports = portsOf(platform);
    expect(ports.length).toBeGreaterThanOrEqual(SERVICES.length + 1); // the registry has two
    for (const port of ports) {
      expect(await answers("127.0.0.1", port)).toBe(true);
      expect(await answers(external, port)).toBe(false);
    }
  } finally {
    await platform.stop();
  }
}, 30_000);

test("BIND_HOST=0.0.0.0 opens them all", async () => {
  if (!external) throw new Error("this test needs a non-loopback IPv4 address on this machine");
  const platform = await platformWith({ BIND_HOST: "0.0.0.0" });
  try {
    for (const port of portsOf(platform)) expect(await answers(external, port)).toBe(true);
  } finally {
    await platform.stop();
  }
}, 30_000);
