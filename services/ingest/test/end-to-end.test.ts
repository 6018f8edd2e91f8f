/**
 * Devices → ingest → iot.raw → enrichment → iot.enriched, every part a real process: the App
 * Registry (devices created over REST, tokens shown once), enrichment, ingest (also bridging the
 * Mosquitto on 127.0.0.1:1883 for a device connected there). MQTT.js and mosquitto_pub (MQTT 3.1.1
 * and 5, QoS 0 and 1) and curl publish; their messages come out of enrichment carrying the registered application.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { eventually, uniqueName } from "@iot/common/testing";
import { DLQ_HEADER } from "@iot/common/wire";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import mqtt from "mqtt";
import { join } from "node:path";
import { enrichmentEnv, registerApp, registryProcess } from "../../enrichment/test/fixtures";
import { collect, device, ingestEnv, root, telemetryJson, testBus, testTopics } from "./fixtures";

const MOSQUITTO = process.env.TEST_MQTT_URL ?? "mqtt://127.0.0.1:1883";
const t = testTopics();
const meter = uniqueName("meter");
const disabled = uniqueName("meter-off");
let bus: EventBus;
let registry: Awaited<ReturnType<typeof registryProcess>>;
let enrichment: ServiceProcess;
let ingest: ServiceProcess;
let ports: { mqtt: number; http: number };
let token = "";
let disabledToken = "";

async function createDevice(deviceId: string): Promise<string> {
  const res = await fetch(`${registry.httpUrl}/api/devices`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ device_id: deviceId, device_type: "smart_meter" }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).token;
}

beforeAll(async () => {
  bus = await testBus(t);
  registry = await registryProcess();
  await registerApp(registry.httpUrl, uniqueName("Meter Watch"), ["smart_meter"]);
  token = await createDevice(meter);
  disabledToken = await createDevice(disabled);
  const patched = await fetch(`${registry.httpUrl}/api/devices/${disabled}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status: "disabled" }),
  });
  expect(patched.status).toBe(200);
  enrichment = spawnService(
    join(root, "services/enrichment/src/main.ts"),
    enrichmentEnv({ ...t, group: uniqueName("enr") }, registry.rpcUrl, { LOG_LEVEL: "info" }),
  );
  ports = { mqtt: await freePort(), http: await freePort() };
  ingest = spawnService(
    join(root, "services/ingest/src/main.ts"),
    ingestEnv(t, {
      INGEST_MQTT_PORT: String(ports.mqtt),
      INGEST_HTTP_PORT: String(ports.http),
      REGISTRY_RPC_URL: registry.rpcUrl,
      INGEST_MQTT_BRIDGE_URL: MOSQUITTO,
      INGEST_MQTT_BRIDGE_GROUP: uniqueName("e2e"),
      LOG_LEVEL: "info",
    }),
  );
  await ingest.waitForLog(/device credentials synced/);
  await ingest.waitForLog(/bridge subscribed/);
  await enrichment.waitForLog(/enrichment consuming/);
}, 60_000);
afterAll(async () => {
  await ingest?.stop();
  await enrichment?.stop();
  await registry?.proc.stop();
  await bus?.stop();
});

test("MQTT.js and mosquitto_pub over MQTT 3.1.1 and 5 (QoS 0 and 1), curl and an MQTT 5 device via the bridge: enriched with the registered application", async () => {
  const enriched = await collect(bus, t.enriched);
  const c = await device(ports.mqtt, meter, token);
  await c.publishAsync(`devices/${meter}/telemetry`, telemetryJson(meter, 1), { qos: 0 });
  await c.publishAsync(`devices/${meter}/telemetry`, telemetryJson(meter, 2), { qos: 1 });
  await c.endAsync();
  const c5 = await device(ports.mqtt, meter, token, { protocolVersion: 5 });
  await c5.publishAsync(`devices/${meter}/telemetry`, telemetryJson(meter, 6), { qos: 0 });
  await c5.publishAsync(`devices/${meter}/telemetry`, telemetryJson(meter, 7), { qos: 1 });
  await c5.endAsync();
  for (const [version, qos, seq] of [
    ["mqttv311", "1", 3],
    ["mqttv5", "0", 8],
    ["mqttv5", "1", 9],
  ] as const) {
    const pub = Bun.spawn([
      "mosquitto_pub",
      ...["-p", String(ports.mqtt), "-V", version, "-u", meter, "-P", token, "-q", qos],
      ...["-t", `devices/${meter}/telemetry`, "-m", telemetryJson(meter, seq)],
    ]);
    expect(await pub.exited).toBe(0);
  }
  const curl = Bun.spawn(
    [
      "curl",
      "-s",
      "-o",
      "/dev/null",
      "-w",
      "%{http_code}",
      "-X",
      "POST",
      `http://127.0.0.1:${ports.http}/api/v1/devices/${meter}/telemetry`,
      "-H",
      `Authorization: Bearer ${token}`,
      "-H",
      "Content-Type: application/json",
      "-d",
      telemetryJson(meter, 4),
    ],
    { stdout: "pipe" },
  );
  expect(await new Response(curl.stdout).text()).toBe("200");
  // A device on a broker of your own; ingest bridges it.
  const v5 = await mqtt.connectAsync(MOSQUITTO, { protocolVersion: 5, reconnectPeriod: 0 });
  await v5.publishAsync(`devices/${meter}/telemetry`, telemetryJson(meter, 5), { qos: 1 });
  await v5.endAsync();

  const out = await eventually(
    "nine enriched messages",
    () => {
      const mine = enriched.records.filter((r) => r.key === meter);
      return mine.length >= 9 ? mine : undefined;
    },
    30_000,
  );
  await enriched.stop();
  const docs = out.map((r) => JSON.parse(new TextDecoder().decode(r.value)));
  expect(docs.map((d) => d.measurements.seq.value).sort((a: number, b: number) => a - b)).toEqual([
    1, 2, 3, 4, 5, 6, 7, 8, 9,
  ]);
  for (const d of docs) {
    expect(
      d.application_registry.applications
        .map((a: { name: string }) => a.name)
        .some((n: string) => n.startsWith("Meter Watch")),
    ).toBe(true);
    expect(d.enrichment_info.app_registry_integration).toBe(true);
  }
}, 60_000);

test("a well-authenticated device with a bad payload: ingest passes it on, enrichment dead-letters it with its reason", async () => {
  const dlq = await collect(bus, t.dlq);
  const c = await device(ports.mqtt, meter, token);
  await c.publishAsync(`devices/${meter}/telemetry`, "temperature is 21", { qos: 1 });
  await c.publishAsync(`devices/${meter}/telemetry`, JSON.stringify({ event_type: "telemetry", measurements: 5 }), {
    qos: 1,
  });
  await c.endAsync();
  const dead = await eventually(
    "two dead letters",
    () => {
      const mine = dlq.records.filter((r) => r.key === meter);
      return mine.length >= 2 ? mine : undefined;
    },
    30_000,
  );
  await dlq.stop();
  // Not JSON; and JSON whose device_id ingest filled in but which has no timestamp.
  expect(dead.map((r) => r.headers[DLQ_HEADER.reason]).sort()).toEqual(["invalid_field", "malformed"]);
  expect(new TextDecoder().decode(dead.find((r) => r.headers[DLQ_HEADER.reason] === "malformed")!.value)).toBe(
    "temperature is 21",
  );
});

test("disabling a connected device in the registry closes its connection", async () => {
  const id = uniqueName("meter-live");
  const liveToken = await createDevice(id);
  const c = await eventually("the new device connects", () => device(ports.mqtt, id, liveToken).catch(() => undefined));
  const closed = new Promise<void>((resolve) => c.once("close", () => resolve()));
  const patched = await fetch(`${registry.httpUrl}/api/devices/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ status: "disabled" }),
  });
  expect(patched.status).toBe(200);
  await closed;
  expect(
    await device(ports.mqtt, id, liveToken).then(
      (x) => (x.end(), 0),
      (e: { code?: number }) => e.code,
    ),
  ).toBe(5);
});

test("a device disabled in the registry is refused: CONNACK 'not authorized', HTTP 403", async () => {
  const code = await device(ports.mqtt, disabled, disabledToken).then(
    (c) => (c.end(), 0),
    (e: { code?: number }) => e.code,
  );
  expect(code).toBe(5);
  const res = await fetch(`http://127.0.0.1:${ports.http}/api/v1/devices/${disabled}/telemetry`, {
    method: "POST",
    headers: { authorization: `Bearer ${disabledToken}`, "content-type": "application/json" },
    body: "{}",
  });
  expect(res.status).toBe(403);
});
