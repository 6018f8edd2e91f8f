/**
 * The OpenAPI UI in a real browser (Debian chromium through playwright-core), cut off from every
 * other origin: it must render the API from the registry's own assets under its strict CSP.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Browser, chromium } from "playwright-core";
import type { TestRegistry } from "./support/registry";
import { startTestRegistry } from "./support/registry";

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

let reg: TestRegistry;
let browser: Browser;
beforeAll(async () => {
  reg = await startTestRegistry("sqlite");
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  await reg?.close();
});

test("the UI renders offline from local assets, with no CSP violation, and its writes declare JSON", async () => {
  const page = await browser.newPage();
  const elsewhere: string[] = [];
  const problems: string[] = [];
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(`${reg.httpUrl}/`) || url.startsWith("data:")) return route.continue();
    elsewhere.push(url);
    return route.abort();
  });
  page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(`${reg.httpUrl}/openapi`);
  await page.locator(".opblock").first().waitFor({ timeout: 15_000 });
  expect(await page.locator(".info .title").first().textContent()).toContain("App Registry");
  expect(await page.locator(".opblock-summary-path").allTextContents()).toContain(
    "/api/applications/{id}/regenerate-key",
  );

  // "Try it out" on regenerate-key (no body): the registry must see a JSON write, answered 404 for an unknown id, not 415.
  const op = page.locator(".opblock-post", { hasText: "regenerate-key" });
  await op.locator(".opblock-summary").click();
  await op.locator("button.try-out__btn").click();
  await op.locator('input[placeholder="id"]').fill("00000000-0000-0000-0000-000000000000");
  const answer = page.waitForResponse((r) => r.url().endsWith("/regenerate-key"));
  await op.locator("button.execute").click();
  expect((await answer).status()).toBe(404);

  expect(elsewhere).toEqual([]);
  expect(problems.filter((p) => !p.includes("404"))).toEqual([]);
  await page.close();
}, 30_000);
