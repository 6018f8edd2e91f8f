/** The alarms API over real HTTP: REST, and Connect + gRPC-Web on the same port. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { AlarmEventKind, AlarmsService, Severity } from "@gen/iot/alarms/v1/alarms_pb";
import { eventually } from "@iot/common/testing";
import { type Db, enriched, enrichedRecord, OVERTEMP, shippedRegistry, startService, testDb } from "./support";

const cleanup: Array<() => Promise<unknown>> = [];
let ctx: Awaited<ReturnType<typeof startService>>;
let db: Db;
const t0 = Date.now();
const hot = (device: string, offset: number, at: number, celsius = 75) =>
  enrichedRecord(enriched(device, { temperature: { value: celsius } }), offset, at);

beforeAll(async () => {
  db = await testDb("sqlite");
  ctx = await startService(db, [{ ...OVERTEMP, for_seconds: 0 }], { now: t0 }, cleanup);
  // breaker-a: major; breaker-b: critical (escalated); breaker-c: raised, then cleared.
  await ctx.bus.publish(ctx.t.enriched, [
    hot("breaker-a", 1, t0),
    hot("breaker-b", 2, t0 + 1, 80),
    hot("breaker-c", 3, t0 + 2),
    hot("breaker-c", 4, t0 + 3, 50),
  ]);
  await eventually("four events", () => (ctx.out.records.length >= 4 ? true : undefined));
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await db.drop();
});

const get = async (path: string) => {
  const res = await fetch(`${ctx.url}${path}`);
  return { status: res.status, body: await res.json() };
};
const post = async (path: string, body: string, type = "application/json") => {
  const res = await fetch(`${ctx.url}${path}`, { method: "POST", body, headers: { "content-type": type } });
  return { status: res.status, body: await res.json() };
};

describe("REST", () => {
  test("active alarms, filtered by device, type and severity; a bad severity is a 400 naming it", async () => {
    const all = await get("/api/alarms");
    expect(all.status).toBe(200);
    expect(all.body.alarms.map((a: { device_id: string }) => a.device_id).sort()).toEqual(["breaker-a", "breaker-b"]);
    expect(
      (await get("/api/alarms?severity=critical")).body.alarms.map((a: { device_id: string }) => a.device_id),
    ).toEqual(["breaker-b"]);
    expect((await get("/api/alarms?device_id=breaker-a")).body.alarms[0]).toMatchObject({
      rule_id: "overtemperature",
      severity: "major",
      status: "active",
      acknowledgement: null,
    });
    expect((await get("/api/alarms?device_type=smart_meter")).body.count).toBe(0);
    expect(await get("/api/alarms?severity=urgent")).toEqual({
      status: 400,
      body: { error: expect.stringContaining("severity: expected one of critical") },
    });
    expect((await get("/api/alarms/counts")).body).toEqual({ critical: 1, major: 1, minor: 0, warning: 0 });
  });

  test("history in a time range; bad times and limits are 400s", async () => {
    const range = `from=${new Date(t0 - 1000).toISOString()}&to=${new Date(t0 + 60_000).toISOString()}`;
    const h = await get(`/api/alarms/history?${range}&device_id=breaker-c`);
    expect(h.body.events.map((e: { kind: string }) => e.kind)).toEqual(["cleared", "raised"]);
    expect((await get(`/api/alarms/history?${range}&limit=1`)).body.count).toBe(1);
    expect(
      (
        await get(
          `/api/alarms/history?from=${new Date(t0 + 10_000).toISOString()}&to=${new Date(t0 + 60_000).toISOString()}`,
        )
      ).body.count,
    ).toBe(0);
    expect((await get("/api/alarms/history?from=yesterday")).status).toBe(400);
    expect((await get("/api/alarms/history?limit=0")).status).toBe(400);
    expect((await get("/api/alarms/history?limit=5000")).status).toBe(400);
  });

  test("acknowledge: who, when, note; published as an event; bad bodies are 400, unknown 404, cleared 409", async () => {
    const [a] = (await get("/api/alarms?device_id=breaker-a")).body.alarms;
    expect((await post(`/api/alarms/${a.id}/acknowledge`, "{ nope")).status).toBe(400);
    expect((await post(`/api/alarms/${a.id}/acknowledge`, "by=me", "application/x-www-form-urlencoded")).status).toBe(
      400,
    );
    expect(await post(`/api/alarms/${a.id}/acknowledge`, JSON.stringify({ note: "x" }))).toEqual({
      status: 400,
      body: { error: "by: who acknowledges is required" },
    });
    expect((await post(`/api/alarms/${a.id}/acknowledge`, JSON.stringify({ by: 5 }))).status).toBe(400);
    expect((await post("/api/alarms/no-such-alarm/acknowledge", JSON.stringify({ by: "ops" }))).status).toBe(404);
    const ok = await post(
      `/api/alarms/${a.id}/acknowledge`,
      JSON.stringify({ by: "ops@example.com", note: "looking" }),
    );
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      id: a.id,
      status: "active",
      acknowledgement: { by: "ops@example.com", note: "looking" },
    });
    expect(Date.parse(ok.body.acknowledgement.at)).toBe(t0);
    await eventually("the acknowledged event", () => ctx.out.json().find((e) => e.kind === "acknowledged"));
    const cleared = (
      await get(
        `/api/alarms/history?device_id=breaker-c&from=${new Date(t0 - 1000).toISOString()}&to=${new Date(t0 + 60_000).toISOString()}`,
      )
    ).body.events[0].alarm.id;
    expect((await post(`/api/alarms/${cleared}/acknowledge`, JSON.stringify({ by: "ops" }))).status).toBe(409);
    expect((await get(`/api/alarms/${cleared}`)).body).toMatchObject({ status: "cleared", device_id: "breaker-c" });
    expect((await get("/api/alarms/nothing-here")).status).toBe(404);
  });

  test("rules are listed per type and a registry document can be validated without applying it", async () => {
    const rules = (await get("/api/alarm-rules?device_type=smart_breaker")).body.rules;
    expect(rules).toEqual([
      expect.objectContaining({
        id: "overtemperature",
        metric: "temperature.value",
        condition: "> 70",
        clear: "< 65",
        for_seconds: 0,
        severity: "major",
      }),
    ]);
    const good = JSON.stringify(await shippedRegistry());
    expect((await post("/api/alarm-rules/validate", good)).body).toEqual({ valid: true, problems: [] });
    const doc = await shippedRegistry();
    doc.device_types.smart_meter.alarm_rules[0].severity = "urgent";
    const bad = await post("/api/alarm-rules/validate", JSON.stringify(doc));
    expect(bad.body.valid).toBe(false);
    expect(bad.body.problems).toEqual([
      expect.stringContaining("device_types.smart_meter.alarm_rules[low_power_factor].severity: unknown severity"),
    ]);
    expect((await post("/api/alarm-rules/validate", "{")).body.valid).toBe(false);
  });
});

describe("RPC (Connect and gRPC-Web on the API port)", () => {
  const clients = () =>
    [
      createConnectTransport({ baseUrl: ctx.url, httpVersion: "1.1" }),
      createGrpcWebTransport({ baseUrl: ctx.url, httpVersion: "1.1" }),
    ].map((t) => createClient(AlarmsService, t));

  test("lists, acknowledges with codes for bad input, lists rules and validates", async () => {
    for (const client of clients()) {
      const { alarms } = await client.listActiveAlarms({ severity: Severity.CRITICAL });
      expect(alarms.map((a) => [a.deviceId, a.severity])).toEqual([["breaker-b", Severity.CRITICAL]]);
      const history = await client.listAlarmHistory({
        deviceId: "breaker-c",
        from: { seconds: BigInt(Math.floor(t0 / 1000) - 1) },
        to: { seconds: BigInt(Math.floor(t0 / 1000) + 60) },
      });
      expect(history.events.map((e) => e.kind)).toEqual([AlarmEventKind.CLEARED, AlarmEventKind.RAISED]);
      const err = await client.acknowledgeAlarm({ alarmId: "nope", by: "ops" }).catch((e) => e);
      expect(ConnectError.from(err).code).toBe(Code.NotFound);
      expect(
        ConnectError.from(await client.acknowledgeAlarm({ alarmId: alarms[0]!.id, by: "" }).catch((e) => e)).code,
      ).toBe(Code.InvalidArgument);
      const acked = await client.acknowledgeAlarm({ alarmId: alarms[0]!.id, by: "rpc", note: "n" });
      expect(acked.alarm?.acknowledgement?.by).toBe("rpc");
      expect((await client.listRules({ deviceType: "smart_breaker" })).rules.map((r) => r.id)).toEqual([
        "overtemperature",
      ]);
      expect(await client.validateRules({ registryJson: "[]" })).toMatchObject({ valid: false });
    }
  });

  let watchOffset = 100;
  test("WatchAlarms streams events as they are published", async () => {
    for (const client of clients()) {
      const abort = new AbortController();
      const seen: string[] = [];
      const stream = (async () => {
        for await (const r of client.watchAlarms({ deviceId: "breaker-w" }, { signal: abort.signal })) {
          seen.push(`${r.event?.kind}:${r.event?.alarm?.deviceId}`);
          if (seen.length === 2) abort.abort();
        }
      })().catch((e) => {
        if (ConnectError.from(e).code !== Code.Canceled) throw e;
      });
      // A watch has no backlog: publish once the server holds the stream.
      await eventually("the watch stream open", async () =>
        /^alarms_watch_streams 1$/m.test(await (await fetch(`${ctx.url}/metrics`)).text()) ? true : undefined,
      );
      const n = (watchOffset += 10); // positions in one input stream only move forward
      await ctx.bus.publish(ctx.t.enriched, [
        hot("breaker-x", n, t0 + 10),
        hot("breaker-w", n + 1, t0 + 11),
        hot("breaker-w", n + 2, t0 + 12, 40),
      ]);
      await stream;
      expect(seen).toEqual([`${AlarmEventKind.RAISED}:breaker-w`, `${AlarmEventKind.CLEARED}:breaker-w`]);
    }
  });
});

describe("acknowledging is an admin's", () => {
  const TOKEN = "alarms-test-admin-token";
  let guarded: Awaited<ReturnType<typeof startService>>;
  let alarmId: string;
  const cleanupGuarded: Array<() => Promise<unknown>> = [];
  beforeAll(async () => {
    guarded = await startService(db, [{ ...OVERTEMP, for_seconds: 0 }], { now: t0 }, cleanupGuarded, {
      REGISTRY_ADMIN_TOKEN: TOKEN,
    });
    await guarded.bus.publish(guarded.t.enriched, [hot("breaker-g", 1, t0)]);
    await eventually("raised", () => (guarded.out.records.length >= 1 ? true : undefined));
    alarmId = (await (await fetch(`${guarded.url}/api/alarms?device_id=breaker-g`)).json()).alarms[0].id;
  });
  afterAll(async () => {
    for (const f of cleanupGuarded.reverse()) await f().catch(() => undefined);
  });
  const ack = (headers: Record<string, string>) =>
    fetch(`${guarded.url}/api/alarms/${alarmId}/acknowledge`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ by: "ana" }),
    });

  test("REST: no token 401, a wrong one 403, the admin token acknowledges", async () => {
    expect((await ack({})).status).toBe(401);
    expect((await ack({ authorization: "Bearer wrong" })).status).toBe(403);
    expect((await (await fetch(`${guarded.url}/api/alarms/${alarmId}`)).json()).acknowledgement).toBeNull();
    expect((await ack({ authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });

  test("RPC: Unauthenticated without the token", async () => {
    const client = createClient(AlarmsService, createConnectTransport({ baseUrl: guarded.url, httpVersion: "1.1" }));
    const refused = await client.acknowledgeAlarm({ alarmId, by: "ana" }).then(
      () => undefined,
      (e: unknown) => ConnectError.from(e).code,
    );
    expect(refused).toBe(Code.Unauthenticated);
  });
});
