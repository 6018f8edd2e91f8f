/**
 * Operators over real HTTP against a real App Registry: the dashboard no longer relays anyone's
 * writes with its admin token; an operator logs in (or is named by a trusted proxy, or sits at this
 * machine under `bun run start`) and only then writes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { uniqueName } from "@iot/common/testing";
import { cheapHash } from "./access";
import { startRegistry } from "./registry";
import { htmxForm, type RunningDashboard, startDashboard } from "./running";

const TOKEN = "operators-test-admin-token";
const PASSWORD = "a long operator password";
let registry: Awaited<ReturnType<typeof startRegistry>>;
let operators: string;

const application = (name = uniqueName("Relay")) => ({
  name,
  version: "1.0.0",
  developer: "Ops",
  contact_email: "ops@example.com",
  platform: "web",
  category: "",
  description: "",
  devicetypes: ["smart_breaker"],
});
const registered = async () => {
  const res = await fetch(`${registry.url}/api/applications?limit=1000`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return ((await res.json()) as { applications: Array<{ id: string; name: string }> }).applications;
};
const aRegistration = async () => {
  const res = await fetch(`${registry.url}/api/applications`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(application()),
  });
  return ((await res.json()) as { application: { id: string } }).application.id;
};

beforeAll(async () => {
  registry = await startRegistry(TOKEN);
  operators = `alice:${await cheapHash(PASSWORD)}`;
});
afterAll(() => registry.stop());

const dashboards: RunningDashboard[] = [];
const dashboard = async (env: Record<string, string> = {}) => {
  const d = await startDashboard({ REGISTRY_URL: registry.url, REGISTRY_ADMIN_TOKEN: TOKEN, ...env });
  dashboards.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dashboards) await d.stop();
});

async function logIn(d: RunningDashboard, password = PASSWORD) {
  return d.fetch("/login", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
    body: `username=alice&password=${encodeURIComponent(password)}&next=%2Fapplications`,
  });
}

describe("the registry door is shut", () => {
  test("an anonymous htmx write gets 401 and the registry sees nothing: register, edit, re-key, delete", async () => {
    const d = await dashboard({ DASHBOARD_OPERATORS: operators });
    const id = await aRegistration();
    const before = JSON.stringify(await registered());
    const attempts = [
      await d.fetch("/applications", htmxForm("POST", application())),
      await d.fetch(`/applications/${id}`, htmxForm("PUT", application("Hijacked"))),
      await d.fetch(`/applications/${id}/regenerate-key`, htmxForm("POST", undefined)),
      await d.fetch(`/applications/${id}`, htmxForm("DELETE", undefined)),
      await d.fetch(`/applications/${id}/edit`, { headers: { "hx-request": "true" } }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      const body = await res.text();
      expect(body).not.toContain("api-key");
      expect(body).not.toContain("ops@example.com");
    }
    expect(JSON.stringify(await registered())).toBe(before);
  });

  test("with no operators configured the dashboard is read-only for everyone on the network: 403", async () => {
    const d = await dashboard();
    const before = (await registered()).length;
    const res = await d.fetch("/applications", htmxForm("POST", application()));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("read-only");
    expect((await registered()).length).toBe(before);
    expect(await (await d.fetch("/login")).text()).toContain("No operators are configured");
  });
});

describe("logging in", () => {
  test("a wrong password is a 401; the right one a session cookie (HttpOnly, SameSite=Strict) and a redirect", async () => {
    const d = await dashboard({ DASHBOARD_OPERATORS: operators });
    expect(await (await d.fetch("/login")).text()).toContain(`<form class="login" method="post" action="/login">`);
    const wrong = await logIn(d, "not it");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("set-cookie")).toBeNull();
    const ok = await logIn(d);
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/applications");
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^dashboard_session=[\w-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);

    const session = cookie.split(";")[0]!;
    const name = uniqueName("Operator app");
    const write = await d.fetch("/applications", htmxForm("POST", application(name), { cookie: session }));
    expect(write.status).toBe(200);
    expect(await write.text()).toContain(`<code class="api-key">`);
    expect((await registered()).some((a) => a.name === name)).toBe(true);

    const out = await d.fetch("/logout", {
      method: "POST",
      headers: { cookie: session, "sec-fetch-site": "same-origin" },
    });
    expect(out.status).toBe(303);
    expect(out.headers.get("set-cookie")).toContain("Max-Age=0");
    expect((await d.fetch("/applications", htmxForm("POST", application(), { cookie: session }))).status).toBe(401);
  });

  test("behind a trusted TLS proxy the cookie is Secure; a cross-site login post is refused", async () => {
    const d = await dashboard({ DASHBOARD_OPERATORS: operators, DASHBOARD_TRUSTED_PROXIES: "127.0.0.1" });
    const res = await d.fetch("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-forwarded-proto": "https" },
      body: `username=alice&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(res.headers.get("set-cookie")).toContain("; Secure");
    const cross = await d.fetch("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site" },
      body: `username=alice&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(cross.status).toBe(403);
    expect(cross.headers.get("set-cookie")).toBeNull();
  });

  test("failed logins are rate-limited per address: 429 with Retry-After, even for the right password", async () => {
    const d = await dashboard({ DASHBOARD_OPERATORS: operators, DASHBOARD_LOGIN_MAX_FAILURES: "3" });
    for (let i = 0; i < 3; i++) expect((await logIn(d, `guess ${i}`)).status).toBe(401);
    const limited = await logIn(d);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("set-cookie")).toBeNull();
  });
});

describe("operators without a login", () => {
  test("DASHBOARD_LOOPBACK_OPERATOR: a caller on this machine writes; one relayed by a local proxy does not", async () => {
    const d = await dashboard({ DASHBOARD_LOOPBACK_OPERATOR: "true" });
    const name = uniqueName("Local");
    expect((await d.fetch("/applications", htmxForm("POST", application(name)))).status).toBe(200);
    expect((await registered()).some((a) => a.name === name)).toBe(true);
    const relayed = await d.fetch(
      "/applications",
      htmxForm("POST", application(), { "x-forwarded-for": "203.0.113.9" }),
    );
    expect(relayed.status).toBe(401);
  });

  test("a trusted proxy's user header makes its user an operator; from another address it is ignored", async () => {
    const trusted = await dashboard({
      DASHBOARD_TRUSTED_PROXY_HEADER: "X-Forwarded-User",
      DASHBOARD_TRUSTED_PROXIES: "127.0.0.1",
    });
    expect(
      (
        await trusted.fetch(
          "/applications",
          htmxForm("POST", application(), { "x-forwarded-user": "alice@example.com" }),
        )
      ).status,
    ).toBe(200);
    expect(
      await (await trusted.fetch("/login", { headers: { "x-forwarded-user": "alice@example.com" } })).text(),
    ).toContain("<strong>alice@example.com</strong> by your sign-on proxy");
    const untrusted = await dashboard({
      DASHBOARD_TRUSTED_PROXY_HEADER: "X-Forwarded-User",
      DASHBOARD_TRUSTED_PROXIES: "10.9.9.9",
    });
    expect(
      (
        await untrusted.fetch(
          "/applications",
          htmxForm("POST", application(), { "x-forwarded-user": "alice@example.com" }),
        )
      ).status,
    ).toBe(401);
  });
});
