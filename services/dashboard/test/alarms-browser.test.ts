/**
 * The dashboard's alarm views in a real browser (Debian chromium), against a real alarms service on
 * the real broker: the header's counts, the Alarms page, acknowledging from it, and a device's
 * alarms with its rule's thresholds on its chart; device strings stay text and the CSP holds.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createMetrics } from "@iot/common/metrics";
import { eventually, kafkaBrokers, quietLogger } from "@iot/common/testing";
import { type Browser, chromium, type Page } from "playwright-core";
import { type Db, enrichedRecord, OVERTEMP, startService, testDb } from "../../alarms/test/support";
import { createDashboard, type Dashboard } from "../src/dashboard";
import { enriched, telemetry, testConfig } from "./fixtures";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
  "--disable-quic",
];
const XSS_DEVICE = `hot-<script>alert("id")</script>`;
const cleanup: Array<() => Promise<unknown>> = [];
let db: Db;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
let base: string;
const dialogs: string[] = [];

beforeAll(async () => {
  db = await testDb("sqlite");
  const now = Date.now();
  const alarms = await startService(db, [{ ...OVERTEMP, for_seconds: 0 }], { now }, cleanup);
  // The same enriched records feed the alarms service and the dashboard's charts; the browser, on loopback, is an operator.
  const config = testConfig({
    KAFKA_BROKERS: kafkaBrokers().join(","),
    TOPIC_RAW: alarms.t.raw,
    TOPIC_ENRICHED: alarms.t.enriched,
    TOPIC_DLQ: alarms.t.dlq,
    ALARMS_URL: alarms.url,
    DASHBOARD_LOOPBACK_OPERATOR: "true",
  });
  for (let i = 4; i >= 0; i--) {
    const t = telemetry(XSS_DEVICE, now - i * 5_000);
    t.measurements.temperature = { value: 60 + 4 * (4 - i), unit: "°C" }; // ends at 76: over 70, under 78
    await alarms.bus.publish(alarms.t.enriched, [enrichedRecord(enriched(t), 10 - i, now - i * 5_000)]);
  }
  await eventually("the alarm raised", () => (alarms.out.records.length >= 1 ? true : undefined));
  dashboard = createDashboard(config, { bus: alarms.bus, log: quietLogger(), metrics: createMetrics() });
  await dashboard.start();
  cleanup.push(() => dashboard.stop());
  base = `http://127.0.0.1:${dashboard.app.server!.port}`;
  await eventually("the dashboard saw the device", () =>
    dashboard.state.devices.get(XSS_DEVICE)?.series.times().length === 5 ? true : undefined,
  );

  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  cleanup.push(() => browser.close());
  page = await browser.newPage();
  await page.addInitScript(() => {
    const found: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = found;
    document.addEventListener("securitypolicyviolation", (e) => found.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  page.on("dialog", async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
  await db.drop();
});

test("every page header counts active alarms; the Alarms page lists and acknowledges them", async () => {
  await page.goto(`${base}/`);
  await page.waitForFunction(
    () => document.querySelector(".alarm-counts")?.textContent?.includes("major 1"),
    undefined,
    { timeout: 10_000 },
  );
  await page.goto(`${base}/alarms`);
  const row = page.locator("#alarm-table tbody tr");
  expect(await row.count()).toBe(1);
  expect(await row.locator("code").first().textContent()).toBe(XSS_DEVICE);
  await row.getByRole("button", { name: "Acknowledge" }).click();
  await page.locator("#ack-panel input[name=by]").fill("ana");
  await page.locator("#ack-panel input[name=note]").fill("on site");
  await page.locator("#ack-panel button[type=submit]").click();
  await page.waitForFunction(
    () => document.querySelector("#ack-panel")?.textContent?.includes("Acknowledged"),
    undefined,
    { timeout: 5_000 },
  );
  // The table refreshes by itself and shows who acknowledged.
  await page.waitForFunction(
    () => document.querySelector("#alarm-table tbody")?.textContent?.includes("ana"),
    undefined,
    { timeout: 10_000 },
  );
});

test("a device page shows its alarms and marks the rule's thresholds on the chart", async () => {
  await page.goto(`${base}/devices/${encodeURIComponent(XSS_DEVICE)}`);
  await page.waitForFunction(
    () => document.querySelector("#device-alarms")?.textContent?.includes("Overtemperature"),
    undefined,
    { timeout: 10_000 },
  );
  await page.waitForFunction(() => document.querySelectorAll("#device-charts .threshold").length === 2, undefined, {
    timeout: 10_000,
  });
  expect(await page.locator("#device-charts .threshold title").allTextContents()).toEqual([
    "value overtemperature at 70",
    "value overtemperature at 78",
  ]);
  expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
  expect(dialogs).toEqual([]);
});
