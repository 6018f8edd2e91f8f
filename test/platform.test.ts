/** `bun run start` as a newcomer runs it: everything in one process, live data, a clean Ctrl-C. */
import { afterAll, expect, test } from "bun:test";
import { eventually } from "@iot/common/testing";
import { freePort, spawnService } from "@iot/common/testing-process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const ports = {
  dashboard: await freePort(),
  http: await freePort(),
  rpc: await freePort(),
  enrichment: await freePort(),
  simulator: await freePort(),
  delivery: await freePort(),
  ingest: await freePort(),
  mqtt: await freePort(),
};
const platform = spawnService(join(root, "services/platform/src/main.ts"), {
  KAFKA_BROKERS: "", // the embedded default: the in-process bus
  REGISTRY_DB_PATH: join(mkdtempSync(join(tmpdir(), "platform-")), "registry.db"),
  DASHBOARD_PORT: String(ports.dashboard),
  REGISTRY_HTTP_PORT: String(ports.http),
  REGISTRY_RPC_PORT: String(ports.rpc),
  ENRICHMENT_PORT: String(ports.enrichment),
  SIMULATOR_PORT: String(ports.simulator),
  DELIVERY_PORT: String(ports.delivery),
  INGEST_HTTP_PORT: String(ports.ingest),
  INGEST_MQTT_PORT: String(ports.mqtt),
  REGISTRY_URL: `http://127.0.0.1:${ports.http}`,
  REGISTRY_RPC_URL: `http://127.0.0.1:${ports.rpc}`,
  ENRICHMENT_URL: `http://127.0.0.1:${ports.enrichment}`,
  SIMULATOR_URL: `http://127.0.0.1:${ports.simulator}`,
  INGEST_URL: `http://127.0.0.1:${ports.ingest}`,
});
afterAll(() => platform.stop("SIGKILL"));

test("the dashboard comes up with live enriched data within 30 s, with the example registrations", async () => {
  await platform.waitForLog(/Dashboard +http:\/\/localhost:\d+/);
  const enrichedOut = await eventually(
    "enriched records counted on the dashboard",
    async () => {
      const page = await (await fetch(`http://127.0.0.1:${ports.dashboard}/`)).text();
      const n = Number(/<dt>Enriched out<\/dt><dd>([\d,]+)<\/dd>/.exec(page)?.[1]?.replaceAll(",", "") ?? 0);
      return n > 0 ? n : undefined;
    },
    30_000,
  );
  expect(enrichedOut).toBeGreaterThan(0);
  const apps = await (await fetch(`http://127.0.0.1:${ports.http}/api/applications`)).json();
  expect(apps.total).toBe(5);
  // The simulator's fleet is provisioned as devices (SIM_PROVISION, an embedded default).
  const devices = await (await fetch(`http://127.0.0.1:${ports.http}/api/devices?label=source:simulator`)).json();
  // One import: the same creation time, so listed by id.
  expect(devices.devices.map((d: { device_id: string }) => d.device_id)).toEqual([
    "breaker-001",
    "breaker-002",
    "breaker-003",
    "environmental-sensor-001",
    "meter-001",
  ]);
  // Each device publishes on its own phase of the interval: wait for breaker-001's first enriched record.
  const device = await eventually(
    "breaker-001's page naming its applications",
    async () => {
      const page = await (await fetch(`http://127.0.0.1:${ports.dashboard}/devices/breaker-001`)).text();
      return page.includes("Smart Breaker Dashboard") ? page : undefined;
    },
    20_000,
  );
  expect(device).toContain("Smart Circuit Breaker");
  // The simulated devices published through MQTT into ingest, as devices do.
  const ingest = await eventually("the five simulated devices connected to ingest", async () => {
    const stats = await (await fetch(`http://127.0.0.1:${ports.ingest}/api/v1/stats`)).json();
    return stats.connectedDevices === 5 ? stats : undefined;
  });
  expect(ingest.messages.mqtt).toBeGreaterThan(0);
  expect(platform.lines.join("\n")).toContain(`Ingest (MQTT)  mqtt://localhost:${ports.mqtt}`);
}, 60_000);

test("on this machine the dashboard writes without a login; relayed from elsewhere it does not", async () => {
  const write = (headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${ports.dashboard}/applications`, {
      method: "POST",
      headers: { "hx-request": "true", "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({
        name: `Local ${Date.now()}`,
        version: "1.0.0",
        developer: "Me",
        contact_email: "me@example.com",
      }),
    });
  const local = await write();
  expect(local.status).toBe(200);
  expect(await local.text()).toContain(`<code class="api-key">`);
  expect((await write({ "x-forwarded-for": "203.0.113.9" })).status).toBe(401);
});

test("Ctrl-C stops it cleanly", async () => {
  expect(await platform.stop("SIGINT")).toBe(0);
  expect(platform.lines.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
}, 30_000);

test("bad settings stop it before anything listens: every bad variable of every service in one message", async () => {
  const bad = spawnService(join(root, "services/platform/src/main.ts"), {
    KAFKA_BROKERS: "",
    REGISTRY_DB_PATH: join(mkdtempSync(join(tmpdir(), "platform-")), "registry.db"),
    REGISTRY_HTTP_PORT: "http",
    ENRICHMENT_START_FROM: "yesterday",
    DASHBOARD_FEED_SIZE: "0",
  });
  expect(await bad.proc.exited).toBe(1);
  const error = bad.lines.find((l) => l.includes("invalid configuration"))!;
  for (const name of ["REGISTRY_HTTP_PORT", "ENRICHMENT_START_FROM", "DASHBOARD_FEED_SIZE"])
    expect(error).toContain(name);
  expect(bad.lines.some((l) => l.includes("IoT Cloud Platform is running"))).toBe(false);
});

test("a device type the registry file does not know stops it before any port opens", async () => {
  const port = await freePort();
  const bad = spawnService(join(root, "services/platform/src/main.ts"), {
    KAFKA_BROKERS: "",
    REGISTRY_DB_PATH: join(mkdtempSync(join(tmpdir(), "platform-")), "registry.db"),
    REGISTRY_HTTP_PORT: String(port),
    SIM_DEVICES: "toaster=2",
  });
  expect(await bad.proc.exited).toBe(1);
  expect(bad.lines.join("\n")).toContain("SIM_DEVICES: toaster not in the device registry");
  expect(bad.lines.some((l) => l.includes("app registry started"))).toBe(false);
});
