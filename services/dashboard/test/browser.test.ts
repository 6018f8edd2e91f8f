/**
 * The dashboard in a real browser (Debian chromium through playwright-core), fed by the real Kafka
 * broker, writing to a real App Registry and reading a real history service (SQLite, consuming the
 * same broker): the live feed, a device's charts and stored history, the application form, and XSS
 * payloads that must stay text. Screenshots go to test-artifacts/ (gitignored).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKafkaBusFromConfig } from "@iot/common/bus-config";
import { encodeDeviceEvent, encodeEnrichedEvent } from "@iot/common/codec";
import { createMetrics } from "@iot/common/metrics";
import type { DeviceEvent } from "@iot/common/telemetry";
import type { Service } from "@iot/common/service";
import { eventually, kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";
import { freePort } from "@iot/common/testing-process";
import { type Browser, chromium, type Page } from "playwright-core";
import { createHistory, loadConfig as loadHistoryConfig } from "../../history/src/index";
import { createDashboard, type Dashboard } from "../src/dashboard";
import { cheapHash } from "./access";
import { app, enriched, telemetry, testConfig, trends } from "./fixtures";
import { startRegistry } from "./registry";

const ARTIFACTS = join(import.meta.dir, "../../../test-artifacts");
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
const TOKEN = "browser-test-token";
const OPERATOR = { name: "alice", password: "correct horse battery staple" };
const XSS_APP = "<img src=x onerror=alert(1)>";
const XSS_DEVICE = `dev-<script>alert("id")</script>`;
const DEVICE = uniqueName("breaker-ui");

const log = quietLogger();
const HISTORY_DIR = mkdtempSync(join(tmpdir(), "dashboard-browser-history-"));
let history: Service;
let historyBus: ReturnType<typeof createKafkaBusFromConfig>;
let historyUrl: string;
let registry: Awaited<ReturnType<typeof startRegistry>>;
let bus: ReturnType<typeof createKafkaBusFromConfig>;
let dashboard: Dashboard;
let browser: Browser;
let page: Page;
let base: string;
const dialogs: string[] = [];
const pageErrors: string[] = [];

const config = async () =>
  testConfig({
    KAFKA_BROKERS: kafkaBrokers().join(","),
    HISTORY_URL: historyUrl,
    REGISTRY_URL: registry.url,
    REGISTRY_ADMIN_TOKEN: TOKEN,
    DASHBOARD_OPERATORS: `${OPERATOR.name}:${await cheapHash(OPERATOR.password)}`,
  });
let topics: ReturnType<typeof testConfig>["bus"]["topics"];

async function publish(e: DeviceEvent, withApps = [app(XSS_APP)]) {
  await bus.publish(topics.raw, [{ key: e.device_id, ...encodeDeviceEvent(e, "json") }]);
  await bus.publish(topics.enriched, [{ key: e.device_id, ...encodeEnrichedEvent(enriched(e, withApps), "protobuf") }]);
}

/** What the page noticed: CSP violations and images (an <img> payload rendered as markup would be one). */
const pageFindings = () =>
  page.evaluate(() => ({
    violations: (window as unknown as { cspViolations: string[] }).cspViolations,
    images: document.querySelectorAll("img").length,
    scripts: [...document.querySelectorAll("script")].map((s) => s.getAttribute("src")),
  }));

/** The history service on the dashboard's topics, so what the test publishes is stored too. */
async function startHistory(port: number) {
  const c = loadHistoryConfig({
    KAFKA_BROKERS: kafkaBrokers().join(","),
    TOPIC_RAW: topics.raw,
    TOPIC_ENRICHED: topics.enriched,
    TOPIC_DLQ: topics.dlq,
    KAFKA_PARTITIONS: "2",
    HISTORY_GROUP: uniqueName("history-browser"),
    HISTORY_PORT: String(port),
    HISTORY_DB_PATH: join(HISTORY_DIR, "history.db"),
    DEVICE_REGISTRY_PATH: join(import.meta.dir, "../../../config/device-registry.json"),
  });
  historyBus = createKafkaBusFromConfig(c.bus, "history-browser-test", log);
  await historyBus.start();
  history = createHistory(c, { bus: historyBus, log, metrics: createMetrics() });
  await history.start();
}

beforeAll(async () => {
  registry = await startRegistry(TOKEN);
  const historyPort = await freePort();
  historyUrl = `http://127.0.0.1:${historyPort}`;
  const c = await config();
  topics = c.bus.topics;
  bus = createKafkaBusFromConfig(c.bus, "dashboard-browser-test", log);
  await bus.start();
  await startHistory(historyPort);
  const now = Date.now();
  for (let i = 5; i >= 1; i--) await publish(telemetry(DEVICE, now - i * 5_000, 115 + i));
  await publish(trends(DEVICE, Math.floor(now / 300_000) * 300 - 300));
  await publish(telemetry(XSS_DEVICE, now));
  dashboard = createDashboard(c, { bus, log, metrics: createMetrics() });
  await dashboard.start();
  base = `http://127.0.0.1:${dashboard.app.server!.port}`;

  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.addInitScript(() => {
    const found: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = found;
    document.addEventListener("securitypolicyviolation", (e) => found.push(`${e.violatedDirective} ${e.blockedURI}`));
    // Counted so the test knows the live connection opened (not just that the page rendered).
    const w = window as unknown as { liveConnections: number };
    w.liveConnections = 0;
    document.addEventListener("htmx:sse:after:connection", () => w.liveConnections++);
  });
  page.on("dialog", async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
  page.on("pageerror", (e) => pageErrors.push(e.message));
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.stop();
  await history?.stop();
  await historyBus?.stop();
  await bus?.stop();
  await registry?.stop();
  rmSync(HISTORY_DIR, { recursive: true, force: true });
});

describe("in a browser", () => {
  test("the overview loads, and the live feed shows a new record within 10 s of its publication", async () => {
    await page.goto(`${base}/`);
    await page.waitForSelector("#feed li", { timeout: 15_000 });
    await page.waitForFunction(
      () => (window as unknown as { liveConnections: number }).liveConnections >= 1,
      undefined,
      { timeout: 5_000 },
    );
    expect(await page.locator("#services tbody tr").count()).toBe(7); // registry, simulator, enrichment, delivery, alarms, history, ingest
    await page.waitForFunction(() => document.querySelector("#pipeline dl.counters") !== null, undefined, {
      timeout: 10_000,
    });
    // Lag is shown for what each group reads: enrichment on the raw topic, the dashboard on all three.
    const lagRows = await page.locator("#pipeline table").nth(1).locator("tbody tr").allTextContents();
    expect(lagRows.filter((r) => r.startsWith("iot-enrichment"))).toEqual([`iot-enrichment${topics.raw}7`]);
    expect(lagRows.filter((r) => !r.startsWith("iot-enrichment"))).toHaveLength(3);

    const live = uniqueName("breaker-live");
    const published = Date.now();
    await publish(telemetry(live, published));
    await page.waitForFunction((id) => document.querySelector("#feed li")?.textContent?.includes(id), live, {
      timeout: 10_000,
    });
    expect(Date.now() - published).toBeLessThan(10_000);

    await page.screenshot({ path: join(ARTIFACTS, "dashboard-overview.png"), fullPage: true });
  }, 30_000);

  test("a device id holding <script> is shown as text and runs nothing", async () => {
    const feed = await page.locator("#feed").textContent();
    expect(feed).toContain(XSS_DEVICE);
    await page.goto(`${base}/devices`);
    expect(await page.getByRole("link", { name: XSS_DEVICE }).count()).toBe(1);
    expect(await page.locator("#devices").textContent()).toContain(XSS_DEVICE);
    const findings = await pageFindings();
    expect(findings.scripts).toEqual(["/assets/htmx.min.js", "/assets/hx-sse.js"]);
    expect(findings.violations).toEqual([]);
  });

  test("a device page shows non-empty charts and its latest trends", async () => {
    await page.goto(`${base}/devices/${encodeURIComponent(DEVICE)}`);
    const voltage = page.locator("#device-charts figure", { hasText: "voltage" }).first();
    const path = await voltage.locator("path.series").first().getAttribute("d");
    expect(path).toMatch(/^M[\d.]+ [\d.]+(L[\d.]+ [\d.]+){4}$/);
    expect(await page.locator("#device-charts path.series").count()).toBeGreaterThan(5);
    expect(await page.locator("#device-trends tbody tr").count()).toBe(2);
    // The app registered for its type carries a payload: text on this page too.
    expect(await page.locator("#device-summary").textContent()).toContain(XSS_APP);
    await publish(telemetry(DEVICE, Date.now(), 125));
    await page.waitForFunction(
      () => document.querySelector("#device-charts .legend li")?.textContent?.includes("phase_a: 125"),
      undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-device.png"), fullPage: true });
  }, 30_000);

  test("a device's stored history loads once, then follows its new points over the live stream; the range picker switches ranges", async () => {
    await eventually("the device's first points stored by history", async () => {
      const res = await fetch(`${historyUrl}/api/devices/${encodeURIComponent(DEVICE)}/latest`);
      return ((await res.json()) as { metrics: unknown[] }).metrics.length > 0 ? true : undefined;
    });
    const sectionReads: string[] = [];
    const onRequest = (r: { url(): string }) =>
      void (r.url().includes("/history?range=") && sectionReads.push(r.url()));
    page.on("request", onRequest);
    try {
      await page.goto(`${base}/devices/${encodeURIComponent(DEVICE)}?range=15m`);
      const stored = page.locator("#device-history figure", { hasText: "voltage" }).first();
      await stored.waitFor({ timeout: 10_000 });
      await page.evaluate(() => void ((window as unknown as { sameDocument: boolean }).sameDocument = true));

      await publish(telemetry(DEVICE, Date.now(), 133));
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll("#device-history figure .legend li")].some(
            (li) => li.textContent === "phase_a: 133",
          ),
        undefined,
        { timeout: 10_000 },
      );
      // The new point came through the live stream: the page was not reloaded, the section not re-read.
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      expect(sectionReads).toEqual([`${base}/devices/${encodeURIComponent(DEVICE)}/history?range=15m`]);
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-device-history.png"), fullPage: true });

      await page.locator("#device-history nav a", { hasText: "24h" }).click();
      await page.waitForURL(`${base}/devices/${encodeURIComponent(DEVICE)}?range=24h`);
      await page.locator("#device-history nav a[aria-current=page]", { hasText: "24h" }).waitFor({ timeout: 10_000 });
      expect(await page.locator("#device-history figure", { hasText: "voltage" }).count()).toBeGreaterThan(0);
    } finally {
      page.off("request", onRequest);
    }
  }, 30_000);

  test("an anonymous visitor reads the applications but gets no form; an operator logs in and gets it", async () => {
    await page.goto(`${base}/applications`);
    expect(await page.locator("#register-form").count()).toBe(0);
    await page.getByRole("link", { name: "Log in as an operator" }).click();
    await page.locator('input[name="username"]').fill(OPERATOR.name);
    await page.locator('input[name="password"]').fill("wrong");
    await page.getByRole("button", { name: "Log in" }).click();
    expect(await page.locator("p.error").textContent()).toContain("Wrong name or password");
    await page.locator('input[name="username"]').fill(OPERATOR.name);
    await page.locator('input[name="password"]').fill(OPERATOR.password);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/applications`);
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: "dashboard_session", httpOnly: true, sameSite: "Strict", secure: false });
    expect(await page.locator("#register-form form").count()).toBe(1);
  }, 30_000);

  test("the application form registers an app (key shown once) that then appears under its device type", async () => {
    await page.goto(`${base}/applications`);
    const form = page.locator("#register-form form");
    await form.locator('input[name="name"]').fill(XSS_APP);
    await form.locator('input[name="version"]').fill("1.0.0");
    await form.locator('input[name="developer"]').fill("Browser Test");
    await form.locator('input[name="contact_email"]').fill("browser@example.com");
    await form.locator('select[name="platform"]').selectOption("web");
    await form.locator('input[name="devicetypes"][value="smart_meter"]').check();
    await form.getByRole("button", { name: "Register" }).click();

    const key = await page.locator("#notice .api-key").textContent({ timeout: 10_000 });
    expect(key?.length).toBeGreaterThan(16);
    const meters = page.locator("#apps section.app-group", {
      has: page.locator("h3 code", { hasText: /^smart_meter$/ }),
    });
    expect(await meters.locator("td.app-name").allTextContents()).toEqual([XSS_APP]);
    const breakers = page.locator("#apps section.app-group", {
      has: page.locator("h3 code", { hasText: /^smart_breaker$/ }),
    });
    expect(await breakers.locator("td.app-name").count()).toBe(0);

    await page.reload();
    expect(await page.locator("#apps td.app-name").allTextContents()).toEqual([XSS_APP]);
    expect(await page.content()).not.toContain(key!);
  }, 30_000);

  test("the registry's refusals show inline next to the field", async () => {
    const form = page.locator("#register-form form");
    await form.locator('input[name="name"]').fill(XSS_APP.toUpperCase());
    await form.locator('input[name="version"]').fill("1.0.0");
    await form.locator('input[name="developer"]').fill("Browser Test");
    await form.locator('input[name="contact_email"]').fill("browser@example.com");
    await form.getByRole("button", { name: "Register" }).click();
    await page.waitForSelector("#err-name", { timeout: 10_000 });
    expect(await page.locator("#err-name").textContent()).toMatch(/already/i);
    expect(await form.locator('input[name="name"]').inputValue()).toBe(XSS_APP.toUpperCase());
  }, 30_000);

  test("no payload ever ran: no dialog, no rendered <img>, no CSP violation, no page error", async () => {
    const findings = await pageFindings();
    expect(findings.images).toBe(0);
    expect(findings.violations).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
