/**
 * The "must show", as separate processes on the real broker: two applications for
 * smart_breaker (a webhook verified by a real receiver, and a stream); the webhook endpoint goes
 * down and comes back; the delivery process is SIGKILLed mid-batch and restarted. Each application
 * ends with every one of its records (duplicates allowed for the webhook, none missing).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { eventually, uniqueName } from "@iot/common/testing";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { messageIds, openSse, type SseClient } from "./sse-client";
import {
  deliveryEnv,
  missing,
  publishEnriched,
  type Receiver,
  root,
  startReceiver,
  testBus,
  testTopics,
} from "./support";

const t = testTopics();
let bus: EventBus;
let registry: ServiceProcess;
let delivery: ServiceProcess | undefined;
const ports = { http: 0, rpc: 0, delivery: 0 };
const urls = () => ({ httpUrl: `http://127.0.0.1:${ports.http}`, rpcUrl: `http://127.0.0.1:${ports.rpc}` });

async function startDelivery() {
  delivery = spawnService(
    join(root, "services/delivery/src/main.ts"),
    deliveryEnv(t, urls(), {
      DELIVERY_PORT: String(ports.delivery),
      DELIVERY_GIVE_UP_SECONDS: "600",
      DELIVERY_MAX_BACKOFF_MS: "500",
      LOG_LEVEL: "info",
    }),
  );
  await delivery.waitForLog(/delivery ready/);
}

beforeAll(async () => {
  Object.assign(ports, { http: await freePort(), rpc: await freePort(), delivery: await freePort() });
  bus = await testBus(t);
  registry = spawnService(join(root, "services/app-registry/src/main.ts"), {
    REGISTRY_HTTP_PORT: String(ports.http),
    REGISTRY_RPC_PORT: String(ports.rpc),
    REGISTRY_DB_PATH: join(mkdtempSync(join(tmpdir(), "delivery-registry-")), "registry.db"),
    DEVICE_REGISTRY_PATH: join(root, "config/device-registry.json"),
    LOG_LEVEL: "warn",
  });
  await eventually(
    "the registry",
    () =>
      fetch(`${urls().httpUrl}/health`).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    30_000,
  );
  await startDelivery();
}, 60_000);
afterAll(async () => {
  await delivery?.stop("SIGKILL");
  await registry?.stop();
  await bus?.stop();
});

async function register(fields: Record<string, unknown>) {
  const body = {
    name: uniqueName("app"),
    developer: "d",
    version: "1",
    contact_email: "d@example.com",
    devicetypes: ["smart_breaker"],
    ...fields,
  };
  const res = await fetch(`${urls().httpUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { application: { id: string; api_key: string; webhook_secret: string } }).application;
}
const deliveryUrl = () => `http://127.0.0.1:${ports.delivery}`;
const webhookRunning = async (id: string) => {
  const res = await fetch(`${deliveryUrl()}/api/v1/deliveries/${id}`).catch(() => undefined);
  return res?.ok ? true : undefined;
};

/** A stream client that reconnects with Last-Event-ID whenever its connection ends, collecting every event. */
function resumingStream(key: string) {
  const ids: string[] = [];
  let lastId: string | undefined;
  let client: SseClient | undefined;
  let running = true;
  const loop = (async () => {
    while (running) {
      const c = await openSse(`${deliveryUrl()}/api/v1/stream`, {
        authorization: `Bearer ${key}`,
        ...(lastId ? { "last-event-id": lastId } : {}),
      }).catch(() => undefined);
      if (c?.status === 200) {
        client = c;
        let seen = 0;
        const pump = setInterval(() => {
          for (const e of c.events.slice(seen)) {
            ids.push(...messageIds([e]));
            lastId = e.id;
          }
          seen = c.events.length;
        }, 10);
        await c.ended;
        clearInterval(pump);
        for (const e of c.events.slice(seen)) {
          ids.push(...messageIds([e]));
          lastId = e.id;
        }
      }
      if (running) await Bun.sleep(100);
    }
  })();
  return {
    ids,
    connected: () => client !== undefined,
    async stop() {
      running = false;
      client?.close();
      await loop;
    },
  };
}

test("webhook down then back, and a SIGKILL mid-batch: nothing missing for either application", async () => {
  let secret = "";
  const receiver: Receiver = startReceiver(() => secret);
  const hook = await register({ webhook_url: receiver.url });
  secret = hook.webhook_secret;
  const streamApp = await register({});
  await eventually("the webhook channel", () => webhookRunning(hook.id), 30_000);
  const stream = resumingStream(streamApp.api_key);
  const tag = uniqueName("k");
  // The stream is live once a warm-up record shows (it connects once delivery knows the new key).
  for (let i = 0; stream.ids.length === 0; i++) {
    if (i > 60) throw new Error("the stream never went live");
    await publishEnriched(bus, t.enriched, "smart_breaker", `${tag}-warm`, i, i + 1);
    await Bun.sleep(500);
  }

  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 200);
  await publishEnriched(bus, t.enriched, "smart_meter", `${tag}-other`, 0, 50);
  await eventually(
    "the first 200 on both",
    () =>
      missing(receiver.ids, tag, 0, 200).length + missing(stream.ids, tag, 0, 200).length === 0 ? true : undefined,
    30_000,
  );

  // The endpoint goes down: the stream keeps flowing meanwhile.
  receiver.down();
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 200, 400);
  await eventually(
    "the stream app to get 200–400 while the webhook is down",
    () => (missing(stream.ids, tag, 200, 400).length === 0 ? true : undefined),
    30_000,
  );
  expect(missing(receiver.ids, tag, 200, 400).length).toBeGreaterThan(0);
  // What the endpoint has not acknowledged is the webhook app's lag on the status API (sampled every 5 s).
  await eventually(
    "the webhook app's lag",
    async () => {
      const s = (await (await fetch(`${deliveryUrl()}/api/v1/deliveries/${hook.id}`)).json()) as {
        deliveries: { lag: number; state: string }[];
      };
      return s.deliveries[0]!.lag > 0 && s.deliveries[0]!.state === "retrying" ? true : undefined;
    },
    15_000,
  );
  receiver.up();
  await eventually(
    "the webhook to catch up after it returns",
    () => (missing(receiver.ids, tag, 200, 400).length === 0 ? true : undefined),
    30_000,
  );

  // A slow endpoint, so the kill lands while a POST is in flight.
  receiver.mode = "hang";
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 400, 600);
  await eventually("a POST in flight", async () => {
    const s = await fetch(`${deliveryUrl()}/api/v1/deliveries/${hook.id}`).then(
      (r) => r.json() as Promise<{ deliveries: { delivered: number }[] }>,
    );
    return s.deliveries[0]!.delivered < 600 ? true : undefined;
  });
  await Bun.sleep(200);
  expect(await delivery!.stop("SIGKILL")).not.toBe(0);
  receiver.mode = "ok";
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 600, 700); // while delivery is down
  await startDelivery();
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 700, 800);
  await eventually(
    "all 800 at the webhook",
    () => (missing(receiver.ids, tag, 0, 800).length === 0 ? true : undefined),
    60_000,
  );
  await eventually(
    "all 800 on the stream",
    () => (missing(stream.ids, tag, 0, 800).length === 0 ? true : undefined),
    60_000,
  );
  await stream.stop();
  expect(receiver.forged).toBe(0);
  for (const ids of [receiver.ids, stream.ids]) expect(ids.filter((id) => id.includes("-other-"))).toEqual([]);
  // The stream resumed by position: no repeats at all.
  const streamed = stream.ids.filter((id) => !id.includes("-warm-"));
  expect(new Set(streamed).size).toBe(streamed.length);
  receiver.close();
}, 180_000);

test("SIGTERM with a stream open and a webhook mid-retry exits 0 promptly", async () => {
  const receiver: Receiver = startReceiver(() => "");
  receiver.mode = 503;
  const hook = await register({ webhook_url: receiver.url });
  const streamApp = await register({});
  await eventually("the webhook channel", () => webhookRunning(hook.id), 30_000);
  await publishEnriched(bus, t.enriched, "smart_breaker", uniqueName("term"), 0, 5);
  const stream = resumingStream(streamApp.api_key);
  await eventually("the stream connected", () => (stream.connected() ? true : undefined), 30_000);
  const at = Date.now();
  expect(await delivery!.stop("SIGTERM")).toBe(0);
  expect(Date.now() - at).toBeLessThan(10_000);
  await stream.stop();
  receiver.close();
}, 60_000);
