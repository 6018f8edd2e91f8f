/**
 * The Provisioning page against a real App Registry: list with last seen from the live stream,
 * provision (token once, with MQTT and curl examples), enable/disable, new token, delete, CSV import.
 * No token or token hash in any page a later read shows.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createInProcessBus } from "@iot/common/bus-config";
import { encodeEnrichedEvent } from "@iot/common/codec";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { createDashboard } from "../src/dashboard";
import { cheapHash } from "./access";
import { enriched, telemetry, testConfig } from "./fixtures";
import { startRegistry } from "./registry";

const ADMIN = "dashboard-devices-admin-token";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
let registry: Awaited<ReturnType<typeof startRegistry>>;
let dashboard: ReturnType<typeof createDashboard>;
let bus: ReturnType<typeof createInProcessBus>;
const issued: string[] = [];
const PASSWORD = "device-admin-operator-password";
let operator = "";

beforeAll(async () => {
  registry = await startRegistry(ADMIN);
  const config = testConfig({
    REGISTRY_URL: registry.url,
    REGISTRY_ADMIN_TOKEN: ADMIN,
    INGEST_PUBLIC_HOST: "ingest.example",
    INGEST_MQTT_PORT: "8883",
    INGEST_HTTP_PORT: "8080",
    DASHBOARD_OPERATORS: `alice:${await cheapHash(PASSWORD)}`,
  });
  bus = createInProcessBus(config.bus, quietLogger());
  dashboard = createDashboard(config, { bus, log: quietLogger(), metrics: createMetrics() });
  await bus.start();
  await dashboard.start();
  const seen = telemetry("panel-7", Date.parse("2026-11-30T08:00:00Z"));
  await bus.publish(config.bus.topics.enriched, [{ key: "panel-7", ...encodeEnrichedEvent(enriched(seen), "json") }]);
  await eventually("panel-7 seen", () => dashboard.state.devices.get("panel-7"));
  operator = await logIn(dashboard);
});

/** Every write on this page is an operator's: a session cookie of one. */
async function logIn(d: ReturnType<typeof createDashboard>): Promise<string> {
  const login = await d.app.handle(
    new Request("http://localhost/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: `username=alice&password=${encodeURIComponent(PASSWORD)}`,
    }),
  );
  const cookie = login.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`login failed: ${login.status}`);
  return cookie;
}
afterAll(async () => {
  await dashboard?.stop();
  await bus?.stop();
  await registry?.stop();
});

const hx = { "hx-request": "true", "hx-current-url": "http://localhost/admin/devices" };
const send = async (method: string, path: string, body?: BodyInit) => {
  const res = await dashboard.app.handle(
    new Request(`http://localhost${path}`, { method, headers: { ...hx, cookie: operator }, body }),
  );
  return { status: res.status, text: await res.text() };
};
const form = (fields: Record<string, string>) => {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};
const tokenIn = (page: string) => /<code class="api-key device-token">([A-Za-z0-9_-]{43})<\/code>/.exec(page)?.[1];
const page = async (query = "") =>
  (await dashboard.app.handle(new Request(`http://localhost/admin/devices${query}`))).text();

test("provisioning shows the token once, with copy-ready MQTT and curl examples; the list shows it without the token", async () => {
  const res = await send(
    "POST",
    "/admin/devices",
    form({ device_id: "panel-7", device_type: "smart_breaker", name: "Panel <7>", labels: "site=north; floor=2" }),
  );
  expect(res.status).toBe(200);
  const token = tokenIn(res.text)!;
  expect(token).toBeDefined();
  issued.push(token);
  expect(res.text).toContain(
    `mosquitto_pub -h ingest.example -p 8883 -u &#39;panel-7&#39; -P &#39;${token}&#39; -t &#39;devices/panel-7/telemetry&#39;`,
  );
  expect(res.text).toContain(
    `curl -X POST &#39;http://ingest.example:8080/api/v1/devices/panel-7/telemetry&#39; -H &#39;Authorization: Bearer ${token}&#39;`,
  );
  const listed = await page();
  expect(listed).toContain("<code>panel-7</code>");
  expect(listed).toContain("Panel &lt;7&gt;");
  expect(listed).toContain("<code>site=north</code>");
  expect(listed).toContain('<time datetime="2026-11-30T08:00:00.000000Z">');
  expect(listed).not.toContain(token);
});

test("refusals come back next to the field: invalid id, unknown type, broken labels, duplicate id", async () => {
  const bad = await send(
    "POST",
    "/admin/devices",
    form({ device_id: "has space", device_type: "toaster", name: "", labels: "" }),
  );
  expect(bad.status).toBe(422);
  expect(bad.text).toContain('id="err-dev-device_id"');
  expect(bad.text).toContain("Not a valid device id");
  const labels = await send(
    "POST",
    "/admin/devices",
    form({ device_id: "ok-1", device_type: "smart_meter", name: "", labels: "novalue" }),
  );
  expect(labels.text).toContain("&quot;novalue&quot; is not key=value.");
  const dup = await send(
    "POST",
    "/admin/devices",
    form({ device_id: "panel-7", device_type: "smart_meter", name: "", labels: "" }),
  );
  expect(dup.status).toBe(422);
  expect(dup.text).toMatch(/id="err-dev-device_id">Device panel-7 already exists/);
});

test("disable, enable, new token, delete", async () => {
  await send(
    "POST",
    "/admin/devices",
    form({ device_id: "meter-x", device_type: "smart_meter", name: "", labels: "" }),
  ).then((r) => issued.push(tokenIn(r.text)!));
  const disabled = await send("PATCH", "/admin/devices/meter-x/status?to=disabled");
  expect(disabled.text).toContain("<code>meter-x</code> disabled.");
  expect(disabled.text).toMatch(/<td class="flag">disabled<\/td>/);
  expect((await send("PATCH", "/admin/devices/meter-x/status?to=enabled")).text).toContain(
    "<code>meter-x</code> enabled.",
  );
  const rekeyed = await send("POST", "/admin/devices/meter-x/regenerate-token");
  const token = tokenIn(rekeyed.text)!;
  expect(token).toBeDefined();
  expect(issued).not.toContain(token);
  issued.push(token);
  expect(rekeyed.text).toContain("devices/meter-x/telemetry");
  const deleted = await send("DELETE", "/admin/devices/meter-x");
  expect(deleted.text).toContain("Device <code>meter-x</code> deleted.");
  expect(await page()).not.toContain("<code>meter-x</code>");
  expect((await send("DELETE", "/admin/devices/meter-x")).status).toBe(404);
});

test("CSV import from a file: per-row outcome, created tokens shown once, a second import unchanged", async () => {
  const csv =
    'device_id,device_type,name,labels\ncsv-1,smart_meter,One,zone=a\ncsv-2,toaster,,\n"broken,smart_meter\ncsv-3,environmental_sensor,Three,\n';
  const upload = () => {
    const f = new FormData();
    f.set("file", new File([csv], "devices.csv", { type: "text/csv" }));
    return send("POST", "/admin/devices/import", f);
  };
  const first = await upload();
  expect(first.status).toBe(200);
  expect(first.text).toContain("Import: 2 created, 0 unchanged, 2 failed.");
  expect(first.text).toContain("Unknown device type toaster");
  expect(first.text).toContain("line 4: broken quoting.");
  const tokens = [...first.text.matchAll(/csv-\d,([A-Za-z0-9_-]{43})/g)].map((m) => m[1]!);
  expect(tokens).toHaveLength(2);
  issued.push(...tokens);
  const again = await upload();
  expect(again.text).toContain("Import: 0 created, 2 unchanged, 2 failed.");
  expect(again.text).not.toContain("device_id,token");
  expect(await page("?search=csv-")).toContain("<code>zone=a</code>");
  expect((await send("POST", "/admin/devices/import", new FormData())).status).toBe(400);
});

test("no page read afterwards carries a token or a token hash", async () => {
  expect(issued.length).toBeGreaterThanOrEqual(5);
  const reads = await Promise.all(["", "?status=enabled", "?type=smart_meter", "?search=panel"].map(page));
  const others = await Promise.all(
    ["/", "/devices", "/devices/panel-7", "/metrics"].map(async (p) =>
      (await dashboard.app.handle(new Request(`http://localhost${p}`))).text(),
    ),
  );
  const all = [...reads, ...others].join("\n");
  for (const token of issued) {
    expect(all).not.toContain(token);
    expect(all).not.toContain(sha256(token));
  }
});

test("a malformed or oversize form is a 4xx, never a 500", async () => {
  const raw = (path: string, type: string, body: string) =>
    dashboard.app.handle(
      new Request(`http://localhost${path}`, {
        method: "POST",
        headers: { ...hx, cookie: operator, "content-type": type },
        body,
      }),
    );
  expect((await raw("/admin/devices", "multipart/form-data; boundary=x", "--x\r\nbroken")).status).toBe(400);
  expect((await raw("/admin/devices", "text/plain", "device_id=a")).status).toBe(415);
  expect((await raw("/admin/devices/import", "multipart/form-data; boundary=x", "not a form")).status).toBe(400);
  expect((await raw("/admin/devices", "application/x-www-form-urlencoded", `name=${"x".repeat(70_000)}`)).status).toBe(
    413,
  );
});

test("a registry that cannot be reached is a notice on this page, not a crash", async () => {
  const config = testConfig({
    REGISTRY_URL: "http://127.0.0.1:9",
    DASHBOARD_HTTP_TIMEOUT_MS: "500",
    DASHBOARD_OPERATORS: `alice:${await cheapHash(PASSWORD)}`,
  });
  const offline = createDashboard(config, { bus, log: quietLogger(), metrics: createMetrics() });
  const res = await offline.app.handle(new Request("http://localhost/admin/devices"));
  expect(res.status).toBe(502);
  const body = await res.text();
  expect(body).toContain('aria-current="page">Provisioning');
  expect(body).toContain("App Registry at http://127.0.0.1:9 did not answer");
  const write = await offline.app.handle(
    new Request("http://localhost/admin/devices/x", {
      method: "DELETE",
      headers: { ...hx, cookie: await logIn(offline) },
    }),
  );
  expect(write.status).toBe(502);
  expect(await write.text()).toContain('hx-target="#notice"');
});
