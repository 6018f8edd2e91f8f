/** HTTP itself: ops routes, body handling, unknown routes and methods, CORS, OpenAPI. */
import { expect, test } from "bun:test";
import { registration } from "../support/registry";
import type { RestContext } from "./context";

export function protocolTests(ctx: RestContext) {
  const { call, register } = ctx;

  test("GET /health answers as the seed did; /healthz, /readyz and /metrics work", async () => {
    expect(await call("GET", "/health")).toMatchObject({
      status: 200,
      body: { status: "healthy", service: "Application Registry Service" },
    });
    expect((await call("GET", "/healthz")).status).toBe(200);
    expect(await call("GET", "/readyz")).toMatchObject({ status: 200, body: { checks: { database: true } } });
    const metrics = await call("GET", "/metrics");
    expect(metrics.body).toContain('app_registry_http_requests_total{method="GET",route="/health",status="200"}');
  });

  test("regression: malformed JSON → 400 (the seed answered 500), never a stack trace", async () => {
    for (const body of ["{bad", "", '{"name": "x",}', "\u0000"]) {
      const res = await call("POST", "/api/applications", body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: "Malformed JSON body" });
    }
    const put = await call("PUT", `/api/applications/${(await register()).id}`, "{");
    expect(put.status).toBe(400);
  });

  test("a non-JSON content type → 415; a body over 64 KiB → 413", async () => {
    const form = await call("POST", "/api/applications", "name=x", {
      "content-type": "application/x-www-form-urlencoded",
    });
    expect(form).toMatchObject({ status: 415, body: { error: "Content-Type must be application/json" } });
    const none = await fetch(`${ctx.reg().httpUrl}/api/applications`, {
      method: "POST",
      body: new Blob([JSON.stringify(registration())]),
    });
    expect(none.status).toBe(415);
    const big = await call("POST", "/api/applications", registration({ description: "d".repeat(70 * 1024) }));
    expect(big).toMatchObject({ status: 413, body: { error: "Request body is larger than 65536 bytes" } });
    const typesBig = await call("POST", "/api/applications/by-device-types", {
      device_types: ["smart_breaker"],
      pad: "p".repeat(65 * 1024),
    });
    expect(typesBig.status).toBe(413);
  });

  test("unknown route → 404 Endpoint not found; wrong method → 405 with Allow", async () => {
    expect(await call("GET", "/api/nothing")).toMatchObject({ status: 404, body: { error: "Endpoint not found" } });
    const id = (await register()).id;
    const wrong: [string, string, string][] = [
      ["DELETE", "/api/applications", "GET, POST"],
      ["PATCH", `/api/applications/${id}`, "GET, PUT, DELETE"],
      ["GET", `/api/applications/${id}/regenerate-key`, "POST"],
      ["GET", "/api/applications/by-device-types", "POST"],
      ["POST", "/api/applications/by-device-type/smart_breaker", "GET"],
      ["POST", "/api/device-types", "GET"],
      ["POST", "/health", "GET"],
    ];
    for (const [method, path, allow] of wrong) {
      const res = await call(method, path);
      expect([method, path, res.status, res.headers.get("allow")]).toEqual([method, path, 405, allow]);
      expect(res.body).toEqual({ error: "Method not allowed" });
    }
  });

  test("no CORS wildcard, even on a preflight", async () => {
    const res = await call("OPTIONS", "/api/applications", undefined, {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
    expect(
      (await call("GET", "/api/applications", undefined, { origin: "https://evil.example" })).headers.get(
        "access-control-allow-origin",
      ),
    ).toBeNull();
  });

  test("OpenAPI document and UI describe the API", async () => {
    const doc = (await call("GET", "/openapi/json")).body;
    expect(Object.keys(doc.paths["/api/applications"]).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/api/applications/{id}"]).sort()).toEqual(["delete", "get", "put"]);
    for (const path of [
      "/api/applications/{id}/regenerate-key",
      "/api/applications/by-device-type/{device_type}",
      "/api/applications/by-device-types",
      "/api/device-types",
      "/health",
    ]) {
      expect(doc.paths[path]).toBeDefined();
    }
    expect(doc.paths["/api/applications"].post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/Registration",
    );
    expect(doc.components.schemas.Registration.required).toEqual(["name", "version", "developer", "contact_email"]);
    const ui = await fetch(`${ctx.reg().httpUrl}/openapi`);
    expect(ui.status).toBe(200);
    expect(ui.headers.get("content-type")).toContain("text/html");
  });

  test("regression: the OpenAPI UI references no external origin (it loaded a CDN script) and has a strict CSP", async () => {
    const base = ctx.reg().httpUrl;
    const ui = await fetch(`${base}/openapi`);
    const html = await ui.text();
    const csp = ui.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-|https?:|\*/);
    // Every script, stylesheet and link is a path on this server, and each one is served from here.
    const refs = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
    expect(refs.filter((r) => !r.startsWith("data:"))).toEqual([
      "/openapi/ui/swagger-ui.css",
      "/openapi/ui/swagger-ui-bundle.js",
      "/openapi/ui/start.js",
    ]);
    expect(html).not.toMatch(/https?:|\/\/[a-z]/i);
    for (const ref of refs.filter((r) => !r.startsWith("data:"))) {
      const asset = await fetch(base + ref);
      expect([ref, asset.status]).toEqual([ref, 200]);
      expect(asset.headers.get("content-type")).toMatch(/^text\/(css|javascript)/);
      if (ref.endsWith("start.js")) expect(await asset.text()).toContain('url: "/openapi/json"');
      else await asset.arrayBuffer();
    }
    for (const name of ["__proto__", "constructor", "index.html", "..%2Fpackage.json"])
      expect((await fetch(`${base}/openapi/ui/${name}`)).status).toBe(404);
  });
}
