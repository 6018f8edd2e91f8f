/** The SSE stream on the real broker: api-key auth, the app's records only, resume without gaps, revocation, slow clients. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { DeliveryService } from "@gen/iot/delivery/v1/delivery_pb";
import type { EventBus } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger, uniqueName } from "@iot/common/testing";
import { registration, startTestRegistry, type TestRegistry } from "../../app-registry/test/support/registry";
import { loadConfig } from "../src/config";
import { createDelivery } from "../src/delivery";
import { messageIds, openSse } from "./sse-client";
import { deliveryEnv, missing, publishEnriched, testBus, testTopics } from "./support";

const t = testTopics();
let registry: TestRegistry;
let bus: EventBus;
let delivery: Awaited<ReturnType<typeof createDelivery>>;
let base: string;

beforeAll(async () => {
  registry = await startTestRegistry("sqlite");
  bus = await testBus(t);
  delivery = await createDelivery(loadConfig(deliveryEnv(t, registry, { DELIVERY_STREAM_QUEUE: "20" })), {
    bus,
    log: quietLogger(),
    metrics: createMetrics(),
  });
  await delivery.start();
  base = delivery.urls().Delivery!;
});
afterAll(async () => {
  await delivery?.stop();
  await bus?.stop();
  await registry?.close();
});

async function register() {
  const res = await fetch(`${registry.httpUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(registration({ devicetypes: ["smart_breaker"] })),
  });
  const { application } = (await res.json()) as { application: { id: string; api_key: string } };
  // The delivery service learns of it through the registry's watch stream.
  await eventually("the app's key to be known", async () => {
    const probe = await stream(application.api_key);
    probe.close();
    return probe.status === 200 ? true : undefined;
  });
  return application;
}
const connections = async () =>
  (
    (await (await fetch(`${base}/api/v1/deliveries`)).json()) as { deliveries: { connections: number }[] }
  ).deliveries.reduce((n, d) => n + d.connections, 0);
const stream = (key: string, extra: Record<string, string> = {}, query = "") =>
  openSse(`${base}/api/v1/stream${query}`, { authorization: `Bearer ${key}`, ...extra });

test("a missing or wrong api key is refused with 401", async () => {
  expect((await openSse(`${base}/api/v1/stream`, {})).status).toBe(401);
  expect((await openSse(`${base}/api/v1/stream`, { authorization: "Bearer not-a-key" })).status).toBe(401);
});

test("the stream carries exactly the app's records; a reconnect with Last-Event-ID continues with no gap and no repeat", async () => {
  const app = await register();
  const first = await stream(app.api_key);
  const tag = uniqueName("s");
  // Wait until the session's group has joined: a marker record arrives.
  await publishEnriched(bus, t.enriched, "smart_breaker", `${tag}-warm`, 0, 1);
  await eventually("the warm-up record", () => (first.events.length > 0 ? true : undefined), 20_000);
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 100);
  await publishEnriched(bus, t.enriched, "smart_meter", `${tag}-other`, 0, 20);
  await eventually(
    "100 records",
    () => (missing(messageIds(first.events), tag, 0, 100).length === 0 ? true : undefined),
    20_000,
  );
  first.close();
  await first.ended;
  const lastId = first.events.at(-1)!.id;
  // Published while nobody was connected.
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 100, 200);
  const second = await stream(app.api_key, { "last-event-id": lastId });
  await eventually(
    "the next 100",
    () => (missing(messageIds(second.events), tag, 100, 200).length === 0 ? true : undefined),
    20_000,
  );
  second.close();
  const all = [...messageIds(first.events), ...messageIds(second.events)].filter((id) => !id.includes("-warm-"));
  expect(all.filter((id) => id.includes("-other-"))).toEqual([]);
  expect(new Set(all).size).toBe(all.length); // no repeat
  expect(missing(all, tag, 0, 200)).toEqual([]); // no gap
}, 60_000);

test("device_id narrows the stream to one device", async () => {
  const app = await register();
  const tag = uniqueName("f");
  const c = await stream(app.api_key, {}, `?device_id=${tag}-dev-1`);
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 1);
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 1, 2); // warm until device 1's record shows
  await eventually("device 1's record", () => (c.events.length > 0 ? true : undefined), 20_000);
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 2, 50);
  await eventually("all of device 1's records", () => (c.events.length >= 10 ? true : undefined), 20_000);
  c.close();
  expect(new Set(c.events.map((e) => (JSON.parse(e.data) as { data: { device_id: string } }).data.device_id))).toEqual(
    new Set([`${tag}-dev-1`]),
  );
}, 60_000);

test("regenerating the api key closes the open stream, and the old key is refused", async () => {
  const app = await register();
  const c = await stream(app.api_key);
  const res = await fetch(`${registry.httpUrl}/api/applications/${app.id}/regenerate-key`, {
    method: "POST",
    headers: { "content-type": "application/json" },
  });
  expect(res.status).toBe(200);
  await c.ended; // the server ended it
  await eventually("the old key refused", async () =>
    (await openSse(`${base}/api/v1/stream`, { authorization: `Bearer ${app.api_key}` })).status === 401
      ? true
      : undefined,
  );
}, 60_000);

test("a client that never reads is dropped once its queue is full; the service's memory does not grow with it", async () => {
  const app = await register();
  const before = await connections();
  const socket = connect(Number(new URL(base).port), "127.0.0.1");
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${app.api_key}\r\n\r\n`);
  await eventually("the stalled client connected", async () => ((await connections()) > before ? true : undefined));
  socket.pause(); // reads nothing from now on
  const tag = uniqueName("slow");
  // Far more than socket buffers hold, so the server's queue fills.
  for (let i = 0; i < 20; i++) await publishEnriched(bus, t.enriched, "smart_breaker", tag, i * 1000, (i + 1) * 1000);
  const lag = async () =>
    ((await (await fetch(`${base}/api/v1/deliveries/${app.id}`)).json()) as { deliveries?: { lag: number }[] })
      .deliveries?.[0]?.lag ?? 0;
  await eventually("the stalled client's lag", async () => ((await lag()) > 0 ? true : undefined), 15_000);
  await eventually(
    "the stalled client dropped",
    async () => ((await connections()) === before ? true : undefined),
    60_000,
  );
  socket.destroy();
}, 120_000);

test("the Subscribe RPC (Connect and gRPC-Web) carries the same records, resumes by id, and refuses a bad key", async () => {
  const app = await register();
  const connectClient = createClient(DeliveryService, createConnectTransport({ baseUrl: base, httpVersion: "1.1" }));
  const grpcWebClient = createClient(DeliveryService, createGrpcWebTransport({ baseUrl: base, httpVersion: "1.1" }));
  const refused = await (async () => {
    try {
      for await (const _ of connectClient.subscribe({}, { headers: { authorization: "Bearer wrong" } })) break;
    } catch (e) {
      return ConnectError.from(e).code;
    }
  })();
  expect(refused).toBe(Code.Unauthenticated);

  const tag = uniqueName("rpc");
  const read = async (client: typeof connectClient, lastEventId: string, want: (ids: string[]) => boolean) => {
    const abort = new AbortController();
    const got: { id: string; messageId: string; deviceType: string }[] = [];
    const reading = (async () => {
      try {
        for await (const r of client.subscribe(
          { lastEventId },
          { headers: { authorization: `Bearer ${app.api_key}` }, signal: abort.signal },
        )) {
          got.push({ id: r.id, messageId: r.messageId, deviceType: r.event?.deviceMetadata?.deviceType ?? "" });
          if (want(got.map((g) => g.messageId))) break;
        }
      } catch (e) {
        if (!abort.signal.aborted) throw e;
      }
    })();
    return { got, reading, abort };
  };
  const first = await read(connectClient, "", (ids) => missing(ids, tag, 0, 50).length === 0);
  for (let i = 0; first.got.length === 0; i++) {
    if (i > 60) throw new Error("the RPC stream never went live");
    await publishEnriched(bus, t.enriched, "smart_breaker", `${tag}-warm`, i, i + 1);
    await Bun.sleep(250);
  }
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 0, 50);
  await first.reading;
  expect(first.got.every((g) => g.deviceType === "smart_breaker")).toBe(true);
  await publishEnriched(bus, t.enriched, "smart_breaker", tag, 50, 100);
  const second = await read(grpcWebClient, first.got.at(-1)!.id, (ids) => missing(ids, tag, 50, 100).length === 0);
  await second.reading;
  const ids = [...first.got, ...second.got].map((g) => g.messageId).filter((id) => !id.includes("-warm-"));
  expect(missing(ids, tag, 0, 100)).toEqual([]);
  expect(new Set(ids).size).toBe(ids.length);
}, 60_000);
