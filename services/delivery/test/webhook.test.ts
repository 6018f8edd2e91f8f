/** Webhook delivery on the real broker, with a real registry and a real receiver that verifies signatures. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EventBus, IncomingRecord } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger, uniqueName } from "@iot/common/testing";
import { DLQ_HEADER } from "@iot/common/wire";
import { registration, startTestRegistry, type TestRegistry } from "../../app-registry/test/support/registry";
import { loadConfig } from "../src/config";
import { createDelivery } from "../src/delivery";
import { deliveryEnv, missing, publishEnriched, startReceiver, testBus, testTopics } from "./support";

const t = testTopics();
let registry: TestRegistry;
let bus: EventBus;
let delivery: Awaited<ReturnType<typeof createDelivery>>;
let base: string;

beforeAll(async () => {
  registry = await startTestRegistry("sqlite");
  bus = await testBus(t);
  const config = loadConfig(
    deliveryEnv(t, registry, {
      DELIVERY_GIVE_UP_SECONDS: "2",
      DELIVERY_MAX_BACKOFF_MS: "200",
      DELIVERY_TIMEOUT_MS: "1000",
    }),
  );
  delivery = await createDelivery(config, { bus, log: quietLogger(), metrics: createMetrics() });
  await delivery.start();
  base = delivery.urls().Delivery!;
});
afterAll(async () => {
  await delivery?.stop();
  await bus?.stop();
  await registry?.close();
});

async function register(fields: Record<string, unknown>) {
  const res = await fetch(`${registry.httpUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(registration(fields)),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { application: { id: string; api_key: string; webhook_secret: string } }).application;
}
const joined = (id: string) =>
  eventually(`webhook channel of ${id}`, () => (delivery.webhookApps().includes(id) ? true : undefined), 20_000);
const put = (id: string, body: object) =>
  fetch(`${registry.httpUrl}/api/applications/${id}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const statusOf = async (id: string) =>
  ((await (await fetch(`${base}/api/v1/deliveries/${id}`)).json()) as { deliveries: Record<string, unknown>[] })
    .deliveries[0];

test("each record of its device types reaches the webhook once signed, none of another type", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  expect(secret).toStartWith("whsec_");
  await joined(app.id);
  const tag = uniqueName("a");
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 300);
  await publishEnriched(bus, t.enriched, "smart_meter", `${tag}-other`, 0, 50);
  await eventually(
    "300 smart_breaker records",
    () => (missing(receiver.ids, tag, 0, 300).length === 0 ? true : undefined),
    20_000,
  );
  expect(receiver.forged).toBe(0);
  expect(receiver.ids.filter((id) => id.includes("-other-"))).toEqual([]);
  const h = receiver.headers[0]!;
  expect(h.get("webhook-id")).toBeTruthy();
  expect(Math.abs(Number(h.get("webhook-timestamp")) - Date.now() / 1000)).toBeLessThan(60);
  expect(await statusOf(app.id)).toMatchObject({ channel: "webhook", state: "ok", delivered: 300, parked: 0 });
  const metrics = await (await fetch(`${base}/metrics`)).text();
  expect(metrics).toContain(`delivery_records_delivered{app="${app.id}",channel="webhook"} 300`);
  // The status never shows a secret.
  expect(JSON.stringify(await (await fetch(`${base}/api/v1/deliveries`)).json())).not.toContain(secret);
  receiver.close();
}, 60_000);

test("500s and 429 with Retry-After are retried until the endpoint accepts; nothing is lost", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  receiver.mode = 500;
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  await joined(app.id);
  const tag = uniqueName("r");
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 20);
  await eventually("retrying", async () => ((await statusOf(app.id))?.retrying as number) > 0 || undefined);
  // A 429 asking for 1 s: the next attempt waits for it (the backoff alone would retry sooner).
  receiver.retryAfter = "1";
  receiver.mode = 429;
  const from = receiver.arrivals.length;
  // Each batch (its webhook-id) is tried again only after the second it was asked to wait.
  const again = await eventually(
    "a batch tried twice under 429",
    () => {
      const seen = receiver.arrivals.slice(from);
      const twice = seen.find((x, i) => seen.slice(i + 1).some((y) => y.id === x.id));
      return twice && seen.filter((y) => y.id === twice.id).slice(0, 2);
    },
    20_000,
  );
  expect(again[1]!.at - again[0]!.at).toBeGreaterThanOrEqual(950);
  receiver.mode = "ok";
  await eventually(
    "all 20 after the endpoint recovers",
    () => (missing(receiver.ids, tag, 0, 20).length === 0 ? true : undefined),
    20_000,
  );
  expect(await statusOf(app.id)).toMatchObject({ state: "ok", parked: 0 });
  receiver.close();
}, 60_000);

test("a 410 is final: the batch is parked on the delivery DLQ with the app id and reason", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  receiver.mode = 410;
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  const parked: IncomingRecord[] = [];
  const sub = await bus.subscribe({
    groupId: uniqueName("dlq"),
    topics: [t.deliveryDlq],
    fromBeginning: true,
    handler: async (b) => void parked.push(...b.records.filter((r) => r.key === app.id)),
  });
  await joined(app.id);
  const tag = uniqueName("g");
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 5);
  await eventually("5 parked records", () => (parked.length >= 5 ? true : undefined), 20_000);
  expect(parked[0]!.headers[DLQ_HEADER.reason]).toBe("rejected");
  expect(parked[0]!.headers[DLQ_HEADER.error]).toContain("410");
  expect(parked[0]!.headers["delivery-app-id"]).toBe(app.id);
  expect(await statusOf(app.id)).toMatchObject({ parked: 5, delivered: 0 });
  await sub.stop();
  receiver.close();
}, 60_000);

test("an endpoint down past the give-up window: parked, marked failing, then healthy again on success", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  receiver.down();
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  await joined(app.id);
  const tag = uniqueName("d");
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 3);
  // Three devices, so up to three partitions' batches: the first one parked marks the application
  // failing, and the others give up on their own clocks shortly after.
  const s = await eventually(
    "all three parked",
    async () => {
      const status = await statusOf(app.id);
      return status?.parked === 3 ? status : undefined;
    },
    20_000,
  );
  expect(s).toMatchObject({ state: "failing", parked: 3 });
  expect(String(s.last_error)).toContain("network error");
  // An operator's resume clears the failing state; it is guarded like registry writes (loopback here).
  const resumed = await fetch(`${base}/api/v1/deliveries/${app.id}/resume`, { method: "POST" });
  expect(resumed.status).toBe(200);
  expect(await statusOf(app.id)).toMatchObject({ state: "ok", retrying: 0 });
  receiver.up();
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 3, 6);
  await eventually(
    "delivering again",
    () => (missing(receiver.ids, tag, 3, 6).length === 0 ? true : undefined),
    20_000,
  );
  expect(await statusOf(app.id)).toMatchObject({ state: "ok" });
  receiver.close();
}, 60_000);

test("deactivating an application stops its delivery within 1 s, even mid-retry", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  receiver.mode = 503;
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  await joined(app.id);
  await publishEnriched(bus, t.enriched, "smart_breaker", uniqueName("x"), 0, 3);
  await eventually("retrying", async () => ((await statusOf(app.id))?.retrying as number) > 0 || undefined);
  const at = Date.now();
  expect((await put(app.id, { status: "inactive" })).status).toBe(200);
  // Stopped: its consumer has left and its status is gone (it goes last).
  await eventually(
    "stopped",
    async () => ((await fetch(`${base}/api/v1/deliveries/${app.id}`)).status === 404 ? true : undefined),
    5_000,
  );
  expect(Date.now() - at).toBeLessThan(1_000);
  expect(delivery.webhookApps()).not.toContain(app.id);
  // Its metric series go with it: the label set is bounded by the active applications.
  expect(await (await fetch(`${base}/metrics`)).text()).not.toContain(app.id);
  receiver.close();
}, 60_000);

test("send test event: one signed item straight to the endpoint, with the outcome", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  await joined(app.id);
  const res = await fetch(`${base}/api/v1/deliveries/${app.id}/test-event`, { method: "POST" });
  expect(await res.json()).toEqual({ delivered: true, status: 204 });
  expect(receiver.forged).toBe(0);
  expect(receiver.ids).toHaveLength(1);
  expect(receiver.ids[0]).toStartWith("test-");
  receiver.mode = 410;
  expect(
    await (await fetch(`${base}/api/v1/deliveries/${app.id}/test-event`, { method: "POST" })).json(),
  ).toMatchObject({ delivered: false, error: expect.stringContaining("410") });
  expect((await fetch(`${base}/api/v1/deliveries/nope/test-event`, { method: "POST" })).status).toBe(404);
  receiver.close();
}, 60_000);

test("a webhook URL on a private address is refused: the batch is parked, never sent", async () => {
  const app = await register({
    devicetypes: ["smart_breaker"],
    webhook_url: "http://169.254.169.254/latest/meta-data",
  });
  await joined(app.id);
  await publishEnriched(bus, t.enriched, "smart_breaker", uniqueName("m"), 0, 2);
  await eventually(
    "parked",
    async () => (((await statusOf(app.id))?.parked as number) >= 2 ? true : undefined),
    20_000,
  );
  expect(String((await statusOf(app.id))?.last_error)).toContain("refused");
}, 60_000);

test("webhook_event_types: an app that wants trends gets only trends", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  const app = await register({
    devicetypes: ["smart_breaker"],
    webhook_url: receiver.url,
    webhook_event_types: ["trends"],
  });
  secret = app.webhook_secret;
  await joined(app.id);
  const tag = uniqueName("tr");
  await publishEnriched(bus, t.enriched, "smart_breaker", `${tag}-tel`, 0, 20);
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 10, "trends");
  await eventually("10 trends", () => (missing(receiver.ids, tag, 0, 10).length === 0 ? true : undefined), 20_000);
  expect(receiver.ids.filter((id) => id.includes("-tel-"))).toEqual([]);
  receiver.close();
}, 60_000);

test("deleting an application stops its delivery within 1 s, even with a POST hanging", async () => {
  let secret = "";
  const receiver = startReceiver(() => secret);
  receiver.mode = "hang";
  const app = await register({ devicetypes: ["smart_breaker"], webhook_url: receiver.url });
  secret = app.webhook_secret;
  await joined(app.id);
  await publishEnriched(bus, t.enriched, "smart_breaker", uniqueName("h"), 0, 3);
  await eventually("a POST in flight", () => (receiver.requests > 0 ? true : undefined), 20_000);
  expect((await statusOf(app.id))?.delivered).toBe(0);
  const at = Date.now();
  expect(
    (
      await fetch(`${registry.httpUrl}/api/applications/${app.id}`, {
        method: "DELETE",
        headers: { "content-type": "application/json" },
      })
    ).status,
  ).toBe(200);
  await eventually(
    "stopped",
    async () => ((await fetch(`${base}/api/v1/deliveries/${app.id}`)).status === 404 ? true : undefined),
    5_000,
  );
  expect(Date.now() - at).toBeLessThan(1_000);
  receiver.close();
}, 60_000);
