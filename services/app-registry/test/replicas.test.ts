/**
 * Two registry processes on one PostgreSQL database: a write through either reaches Watch streams
 * on the other within a second (LISTEN/NOTIFY), for devices and for applications.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { DeviceStatus } from "@gen/iot/registry/v1/devices_pb";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import { ApplicationRegistryService, ChangeType } from "@gen/iot/registry/v1/registry_pb";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { TestDatabase } from "./support/databases";
import { postgresDatabase } from "./support/databases";
import { freePort, startRegistryProcess } from "./support/process";
import { registration } from "./support/registry";
import { within } from "./support/rpc-clients";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
let db: TestDatabase;
const replicas: { http: string; rpc: string; proc: Awaited<ReturnType<typeof startRegistryProcess>>["proc"] }[] = [];

beforeAll(async () => {
  db = await postgresDatabase();
  for (let i = 0; i < 2; i++) {
    const [http, rpc] = [await freePort(), await freePort()];
    const service = await startRegistryProcess({
      DATABASE_URL: db.config.databaseUrl!,
      REGISTRY_HTTP_PORT: String(http),
      REGISTRY_RPC_PORT: String(rpc),
    });
    await within(15_000, service.waitFor("app registry started"), "start");
    replicas.push({ http: `http://127.0.0.1:${http}`, rpc: `http://127.0.0.1:${rpc}`, proc: service.proc });
  }
}, 40_000);
afterAll(async () => {
  for (const r of replicas) r.proc.kill("SIGTERM");
  await Promise.all(replicas.map((r) => r.proc.exited));
  await db?.drop();
});

const post = (base: string, path: string, body?: unknown, method = "POST") =>
  fetch(base + path, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then((r) => r.json() as any);

test("a device created, disabled or re-keyed through REST on one replica reaches WatchDevices on the other within 1 s", async () => {
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  const abort = new AbortController();
  const stream = createClient(DeviceRegistryService, createGrpcTransport({ baseUrl: b.rpc }))
    .watchDevices({}, { signal: abort.signal })
    [Symbol.asyncIterator]();
  const next = async () => (await within(1_000, stream.next(), "change from the other replica")).value!.event;
  expect((await within(2_000, stream.next(), "snapshot")).value!.event.case).toBe("snapshot");

  const id = `replica-${crypto.randomUUID().slice(0, 8)}`;
  const { token } = await post(a.http, "/api/devices", { device_id: id, device_type: "smart_meter" });
  expect(await next()).toMatchObject({
    case: "change",
    value: { type: ChangeType.CREATED, device: { deviceId: id, tokenSha256: sha256(token) } },
  });
  await post(a.http, `/api/devices/${id}`, { status: "disabled" }, "PATCH");
  expect(await next()).toMatchObject({
    case: "change",
    value: { type: ChangeType.UPDATED, device: { deviceId: id, status: DeviceStatus.DISABLED } },
  });
  const regenerated = await post(a.http, `/api/devices/${id}/regenerate-token`);
  expect(await next()).toMatchObject({ value: { device: { deviceId: id, tokenSha256: sha256(regenerated.token) } } });
  abort.abort();
});

test("WatchApplications on one replica sees registrations, updates and deletes made on the other within 1 s", async () => {
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  const abort = new AbortController();
  const client = createClient(ApplicationRegistryService, createGrpcTransport({ baseUrl: b.rpc }));
  const stream = client
    .watchApplications({ deviceTypes: ["smart_meter"] }, { signal: abort.signal })
    [Symbol.asyncIterator]();
  const next = async () => (await within(1_000, stream.next(), "change from the other replica")).value!.event;
  expect((await within(2_000, stream.next(), "snapshot")).value!.event.case).toBe("snapshot");

  const { application } = await post(
    a.http,
    "/api/applications",
    registration({ devicetypes: ["smart_meter"], description: "d".repeat(20_000) }),
  );
  // Too long for one notification: the receiving replica reads the row instead.
  expect(await next()).toMatchObject({
    case: "change",
    value: { type: ChangeType.CREATED, application: { id: application.id, description: "d".repeat(20_000) } },
  });
  // Moved away from smart_meter: still a change for smart_meter watchers (it was theirs before).
  await post(a.http, `/api/applications/${application.id}`, { devicetypes: ["smart_breaker"] }, "PUT");
  expect(await next()).toMatchObject({
    value: { type: ChangeType.UPDATED, application: { id: application.id, deviceTypes: ["smart_breaker"] } },
  });
  await post(a.http, `/api/applications/${application.id}`, { devicetypes: ["smart_meter"] }, "PUT");
  expect(await next()).toMatchObject({
    value: { type: ChangeType.UPDATED, application: { id: application.id, deviceTypes: ["smart_meter"] } },
  });
  await post(a.http, `/api/applications/${application.id}`, undefined, "DELETE");
  expect(await next()).toMatchObject({ value: { type: ChangeType.DELETED, application: { id: application.id } } });
  abort.abort();
});

test("when a replica's LISTEN connection drops, its Watch streams end (changes may have been missed) and a new one is current", async () => {
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  const client = createClient(DeviceRegistryService, createGrpcTransport({ baseUrl: b.rpc }));
  const stream = client.watchDevices({})[Symbol.asyncIterator]();
  expect((await within(2_000, stream.next(), "snapshot")).value!.event.case).toBe("snapshot");
  // Every listening session of the database (both replicas'): postgres-js reconnects and listens again.
  const killed = await db.query(
    "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen%'",
  );
  expect(killed.length).toBeGreaterThan(0);
  expect(await within(10_000, stream.next(), "end of the stream")).toEqual({ done: true, value: undefined });

  const again = client.watchDevices({})[Symbol.asyncIterator]();
  expect((await within(2_000, again.next(), "snapshot")).value!.event.case).toBe("snapshot");
  const id = `after-drop-${crypto.randomUUID().slice(0, 8)}`;
  await post(a.http, "/api/devices", { device_id: id, device_type: "smart_meter" });
  expect(await within(1_000, again.next(), "change after the reconnect")).toMatchObject({
    value: { event: { case: "change", value: { device: { deviceId: id } } } },
  });
  await again.return?.();
});

test("an import's changes reach the other replica's Watch in order, several to a notification", async () => {
  const [a, b] = replicas as [(typeof replicas)[0], (typeof replicas)[0]];
  const abort = new AbortController();
  const client = createClient(DeviceRegistryService, createGrpcTransport({ baseUrl: b.rpc }));
  const stream = client.watchDevices({}, { signal: abort.signal })[Symbol.asyncIterator]();
  expect((await within(2_000, stream.next(), "snapshot")).value!.event.case).toBe("snapshot");
  const tag = crypto.randomUUID().slice(0, 8);
  const rows = Array.from({ length: 2_000 }, (_, i) => ({ device_id: `imp-${tag}-${i}`, device_type: "smart_meter" }));
  const reply = await post(a.http, "/api/devices/bulk", rows);
  expect(reply.created).toBe(2_000);
  const seen: string[] = [];
  const drain = async () => {
    while (seen.length < rows.length) {
      const { value } = await stream.next();
      if (value?.event.case === "change") seen.push(value.event.value.device!.deviceId);
    }
  };
  // 2,000 streamed messages: the bound is loose because this machine is shared; one change within 1 s is tested above.
  await within(5_000, drain(), "every imported device");
  expect(seen).toEqual(rows.map((r) => r.device_id));
  abort.abort();
}, 20_000);
