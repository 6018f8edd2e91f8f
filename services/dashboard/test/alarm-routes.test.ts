/** The dashboard's alarm pages against a real alarms service (real broker, SQLite). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@iot/common/testing";
import { freePort } from "@iot/common/testing-process";
import { type Db, enriched, enrichedRecord, OVERTEMP, startService, testDb } from "../../alarms/test/support";
import { lineChart } from "../src/views/chart";
import { alarmRoutes } from "../src/alarms/alarm-routes";
import { createAlarmMarks } from "../src/alarms/alarm-marks";
import { createAlarmsClient } from "../src/alarms/alarms-client";

const XSS_ID = `b-<script>alert("id")</script>`;
const cleanup: Array<() => Promise<unknown>> = [];
let db: Db;
let routes: ReturnType<typeof alarmRoutes>;
let client: ReturnType<typeof createAlarmsClient>;

beforeAll(async () => {
  db = await testDb("sqlite");
  const t0 = Date.now();
  const ctx = await startService(db, [{ ...OVERTEMP, for_seconds: 0 }], { now: t0 }, cleanup);
  await ctx.bus.publish(ctx.t.enriched, [enrichedRecord(enriched(XSS_ID, { temperature: { value: 75 } }), 1, t0)]);
  await eventually("raised", () => (ctx.out.records.length >= 1 ? true : undefined));
  client = createAlarmsClient({ url: ctx.url, token: undefined, timeoutMs: 2_000 });
  routes = alarmRoutes(client);
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await db.drop();
});

const get = async (path: string, app = routes) => (await app.handle(new Request(`http://localhost${path}`))).text();
const post = (path: string, form: Record<string, string>) =>
  routes.handle(new Request(`http://localhost${path}`, { method: "POST", body: new URLSearchParams(form) }));

describe("dashboard alarms", () => {
  test("the Alarms page lists active alarms with device strings escaped, filters by severity, and counts by severity", async () => {
    const page = await get("/alarms");
    expect(page).toContain("<h1>Alarms</h1>");
    expect(page).toContain("b-&lt;script&gt;alert(&quot;id&quot;)&lt;/script&gt;");
    expect(page).not.toContain("<script>alert");
    expect(page).toContain('hx-trigger="every 3s"'); // kept live
    expect(await get("/alarms/table?severity=critical")).toContain("No active alarms.");
    expect(await get("/alarms/table?severity=major")).toContain("Overtemperature");
    expect(await get("/alarms/table?severity=bogus&device_id=")).toContain("Overtemperature"); // odd filters are ignored, not errors
    expect(await get("/alarms/counts")).toContain("major 1");
    expect(await get(`/alarms/device/${encodeURIComponent(XSS_ID)}`)).toContain("Overtemperature");
  });

  test("acknowledge from the page: who is required; then the alarm shows who acknowledged it", async () => {
    const [alarm] = await client.active({ device_id: XSS_ID });
    expect(await get(`/alarms/${alarm!.id}/acknowledge`)).toContain('name="by"');
    const refused = await (await post(`/alarms/${alarm!.id}/acknowledge`, { by: "", note: "" })).text();
    expect(refused).toContain("by: who acknowledges is required");
    const ok = await (await post(`/alarms/${alarm!.id}/acknowledge`, { by: "<b>ops</b>", note: "on it" })).text();
    expect(ok).toContain("Acknowledged");
    const table = await get("/alarms/table");
    expect(table).toContain("&lt;b&gt;ops&lt;/b&gt;");
    expect(table).not.toContain('hx-get="/alarms/' + alarm!.id + '/acknowledge"');
  });

  test("the rules' thresholds are marked on the device's chart", async () => {
    const marks = createAlarmMarks(client, 60_000);
    const found = await eventually("rules fetched", () => {
      const m = marks("smart_breaker", "temperature");
      return m.length > 0 ? m : undefined;
    });
    expect(found.map((m) => m.value)).toEqual([70, 78]);
    const svg = lineChart("temperature", [0, 1000], [{ label: "value", values: [60, 72] }], "°C", found).value;
    expect(svg.match(/class="threshold"/g)?.length).toBe(2);
    expect(marks("smart_meter", "temperature")).toEqual([]);
  });

  test("an alarms service that does not answer is a message in the page, not an error", async () => {
    const away = alarmRoutes(
      createAlarmsClient({ url: `http://127.0.0.1:${await freePort()}`, token: undefined, timeoutMs: 500 }),
    );
    const res = await away.handle(new Request("http://localhost/alarms"));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Alarms unavailable");
    expect(await get("/alarms/counts", away)).toContain("alarms: ?");
  });
});
