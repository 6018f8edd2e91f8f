/** What the registry keeps for delivery: webhook_url, a signing secret shown once, and an admin-only credentials read. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { registration, startTestRegistry, type TestRegistry } from "./support/registry";

const TOKEN = "admin-t0ken";
let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry("sqlite", { adminToken: TOKEN });
});
afterAll(() => reg?.close());

const call = async (method: string, path: string, body?: unknown, token: string | null = TOKEN) => {
  const res = await fetch(`${reg.httpUrl}${path}`, {
    method,
    // Every write is JSON, body or not (the registry refuses others with 415).
    headers: {
      ...(method === "GET" ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};

test("webhook_url must be an http(s) URL without credentials; null or blank means none", async () => {
  for (const bad of ["ftp://x.example/", "not a url", "http://user:pw@x.example/", 5])
    expect((await call("POST", "/api/applications", registration({ webhook_url: bad }))).body.details).toHaveProperty(
      "webhook_url",
    );
  const none = await call("POST", "/api/applications", registration({ webhook_url: "  " }));
  expect(none.body.application.webhook_url).toBeNull();
  const some = await call("POST", "/api/applications", registration({ webhook_url: "https://hooks.example/in" }));
  expect(some.status).toBe(201);
  expect(some.body.application.webhook_url).toBe("https://hooks.example/in");
  const cleared = await call("PUT", `/api/applications/${some.body.application.id}`, { webhook_url: null });
  expect(cleared.body.application.webhook_url).toBeNull();
});

test("webhook_event_types: telemetry and/or trends, de-duplicated; empty means all; kept by a PUT that does not name it", async () => {
  expect(
    (await call("POST", "/api/applications", registration({ webhook_event_types: ["alarms"] }))).body.details,
  ).toHaveProperty("webhook_event_types");
  const { body } = await call(
    "POST",
    "/api/applications",
    registration({ webhook_url: "https://hooks.example/in", webhook_event_types: ["trends", "trends"] }),
  );
  expect(body.application.webhook_event_types).toEqual(["trends"]);
  const kept = await call("PUT", `/api/applications/${body.application.id}`, { version: "2" });
  expect(kept.body.application.webhook_event_types).toEqual(["trends"]);
  const all = await call("PUT", `/api/applications/${body.application.id}`, { webhook_event_types: [] });
  expect(all.body.application.webhook_event_types).toEqual([]);
  expect((await call("POST", "/api/applications", registration({}))).body.application.webhook_event_types).toEqual([]);
});

test("the webhook secret is shown once, never on a read; the delivery credentials need the admin token", async () => {
  const { body } = await call("POST", "/api/applications", registration({ webhook_url: "https://hooks.example/in" }));
  const { id, webhook_secret: secret, api_key: key } = body.application;
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
  for (const path of [`/api/applications/${id}`, "/api/applications"])
    expect(JSON.stringify((await call("GET", path)).body)).not.toContain(secret);
  expect(reg.logs.join("\n")).not.toContain(secret);

  expect((await call("GET", `/api/applications/${id}/delivery-credentials`, undefined, null)).status).toBe(401);
  expect((await call("GET", `/api/applications/${id}/delivery-credentials`, undefined, "wrong")).status).toBe(403);
  const creds = await call("GET", `/api/applications/${id}/delivery-credentials`);
  expect(creds.body).toEqual({
    webhook_secret: secret,
    api_key_sha256: createHash("sha256").update(key).digest("hex"),
  });
  expect((await call("GET", "/api/applications/nope/delivery-credentials")).status).toBe(404);
  expect((await call("POST", "/api/applications/nope/rotate-webhook-secret")).status).toBe(404);
});

test("rotation returns a new secret once and the old one is gone", async () => {
  const { body } = await call("POST", "/api/applications", registration({}));
  const { id, webhook_secret: old } = body.application;
  expect((await call("POST", `/api/applications/${id}/rotate-webhook-secret`, undefined, null)).status).toBe(401);
  const plain = await fetch(`${reg.httpUrl}/api/applications/${id}/rotate-webhook-secret`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(plain.status).toBe(415);
  const rotated = await call("POST", `/api/applications/${id}/rotate-webhook-secret`);
  expect(rotated.status).toBe(200);
  expect(rotated.body.webhook_secret).toMatch(/^whsec_/);
  expect(rotated.body.webhook_secret).not.toBe(old);
  expect((await call("GET", `/api/applications/${id}/delivery-credentials`)).body.webhook_secret).toBe(
    rotated.body.webhook_secret,
  );
});
