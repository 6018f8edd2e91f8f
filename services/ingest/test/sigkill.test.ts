/**
 * The gateway process killed with SIGKILL while 100 devices publish QoS 1 and reconnect: every
 * message a device got a PUBACK for is in iot.raw (duplicates allowed: delivery is at-least-once).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { eventually } from "@iot/common/testing";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import mqtt, { type MqttClient } from "mqtt";
import { join } from "node:path";
import { collect, ingestEnv, root, telemetryJson, testBus, testTopics } from "./fixtures";
import { createFakeDeviceWatch, credential } from "./support/fake-device-watch";

const DEVICES = 100;
const ids = Array.from({ length: DEVICES }, (_, i) => `kill-${String(i).padStart(3, "0")}`);
const t = testTopics();
const registry = createFakeDeviceWatch(ids.map((id) => credential(id, `tok-${id}`)));
let bus: EventBus;
let server: Awaited<ReturnType<typeof registry.serve>>;
let ingest: ServiceProcess | undefined;
let env: Record<string, string>;

const startIngest = async () => {
  const p = spawnService(join(root, "services/ingest/src/main.ts"), env);
  await p.waitForLog(/ingest accepting devices/);
  await p.waitForLog(/device credentials synced/);
  return p;
};

beforeAll(async () => {
  bus = await testBus(t);
  server = await registry.serve();
  env = ingestEnv(t, {
    INGEST_MQTT_PORT: String(await freePort()),
    INGEST_HTTP_PORT: String(await freePort()),
    REGISTRY_RPC_URL: server.url,
    LOG_LEVEL: "info",
  });
  ingest = await startIngest();
});
afterAll(async () => {
  await ingest?.stop("SIGKILL");
  await server?.close();
  await bus?.stop();
});

test("SIGKILL mid-stream: every PUBACKed message is in iot.raw", async () => {
  const acked = new Set<string>();
  let running = true;
  const clients: MqttClient[] = await Promise.all(
    ids.map((id) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${env.INGEST_MQTT_PORT}`, {
        username: id,
        password: `tok-${id}`,
        reconnectPeriod: 200,
        connectTimeout: 5_000,
      }),
    ),
  );
  const publishing = Promise.all(
    clients.map(async (c, i) => {
      const id = ids[i]!;
      // Sequential QoS 1: MQTT.js keeps an unacked message and re-sends it after reconnecting.
      for (let seq = 0; running; seq++) {
        await c.publishAsync(`devices/${id}/telemetry`, telemetryJson(id, seq), { qos: 1 });
        acked.add(`${id}/${seq}`);
      }
    }),
  );
  await eventually("some acks before the kill", () => (acked.size >= 2_000 ? true : undefined), 30_000);
  expect(await ingest!.stop("SIGKILL")).not.toBe(0);
  const atKill = acked.size;
  ingest = await startIngest();
  await eventually("devices publishing again", () => (acked.size >= atKill + 2_000 ? true : undefined), 60_000);
  running = false;
  await Promise.race([
    publishing,
    Bun.sleep(30_000).then(() => Promise.reject(new Error("devices still waiting for PUBACKs 30 s after the restart"))),
  ]);
  await Promise.all(clients.map((c) => c.endAsync()));

  const raw = await collect(bus, t.raw);
  const keys = new Set<string>();
  await eventually(
    "every acked message in iot.raw",
    () => {
      for (const r of raw.records.splice(0))
        keys.add(`${r.key}/${JSON.parse(new TextDecoder().decode(r.value)).measurements.seq.value}`);
      return [...acked].every((k) => keys.has(k)) ? true : undefined;
    },
    30_000,
  ).catch(() => undefined);
  await raw.stop();
  expect([...acked].filter((k) => !keys.has(k))).toEqual([]);
}, 180_000);
