/**
 * What every request meets before a route: the Host allow-list (DNS rebinding) on the REST and RPC
 * ports, and JSON-only writes (no CORS "simple request" writes). The registry runs with no admin
 * token, where loopback callers may write: exactly what a rebinding or cross-site page would abuse.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { connect } from "node:http2";
import { toBinary, create } from "@bufbuild/protobuf";
import { ApplicationRegistryService, ListApplicationsRequestSchema } from "@gen/iot/registry/v1/registry_pb";
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { TestRegistry } from "./support/registry";
import { registration, startTestRegistry } from "./support/registry";
import { grpcFrame, grpcJsClient, grpcStatusOf, rawCall } from "./support/rpc-clients";

let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry("sqlite", { allowedHosts: ["registry.internal"] });
});
afterAll(() => reg?.close());

const JSON_TYPE = { "content-type": "application/json" };
const count = async () => (await (await fetch(`${reg.httpUrl}/api/applications`)).json()).total as number;
const register = async () =>
  (
    await (
      await fetch(`${reg.httpUrl}/api/applications`, {
        method: "POST",
        headers: JSON_TYPE,
        body: JSON.stringify(registration()),
      })
    ).json()
  ).application;
const port = (url: string) => new URL(url).port;
const HOSTILE_HOSTS = [
  "evil.example",
  "evil.example:5002",
  "localhost.evil.example",
  "127.0.0.1.nip.io",
  "0.0.0.0",
  "[::]",
];

describe("Host allow-list", () => {
  test("REST: a Host this registry does not answer to gets 403 for reads, writes, docs and ops alike", async () => {
    const before = await count();
    for (const host of HOSTILE_HOSTS) {
      for (const [method, path] of [
        ["GET", "/api/applications"],
        ["POST", "/api/applications"],
        ["GET", "/openapi/json"],
        ["GET", "/metrics"],
      ]) {
        const res = await fetch(reg.httpUrl + path, {
          method,
          headers: { ...JSON_TYPE, host: host },
          body: method === "POST" ? JSON.stringify(registration()) : undefined,
        });
        expect([host, path, res.status]).toEqual([host, path, 403]);
        expect(await res.json()).toEqual({ error: "Host not allowed: add it to REGISTRY_ALLOWED_HOSTS" });
      }
    }
    expect(await count()).toBe(before);
    for (const host of [
      `localhost:${port(reg.httpUrl)}`,
      "127.0.0.1",
      `[::1]:${port(reg.httpUrl)}`,
      "Registry.Internal:80",
    ])
      expect([host, (await fetch(`${reg.httpUrl}/api/applications`, { headers: { host } })).status]).toEqual([
        host,
        200,
      ]);
  });

  test("RPC: a foreign :authority gets PermissionDenied in each protocol's own form, and writes nothing", async () => {
    const before = await count();
    const session = connect(reg.rpcUrl);
    try {
      const list = `/${ApplicationRegistryService.typeName}/ListApplications`;
      const connectJson = await rawCall(session, {
        path: list,
        body: "{}",
        headers: { ":authority": "evil.example", ...JSON_TYPE },
      });
      expect(connectJson).toMatchObject({ status: 403, rstCode: 0 });
      expect(JSON.parse(connectJson.body.toString())).toMatchObject({
        code: "permission_denied",
        message: expect.stringContaining("Host not allowed"),
      });
      const frame = grpcFrame(toBinary(ListApplicationsRequestSchema, create(ListApplicationsRequestSchema, {})));
      const grpcWeb = await rawCall(session, {
        path: list,
        body: frame,
        headers: { ":authority": "evil.example", "content-type": "application/grpc-web+proto" },
      });
      expect(grpcWeb).toMatchObject({ status: 200, rstCode: 0 });
      expect(grpcWeb.body.toString()).toContain("grpc-status: 7");
      // Every service on the port: server reflection (what tells an attacker the API) too.
      const reflection = await rawCall(session, {
        path: "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        body: grpcFrame(new Uint8Array([0x3a, 0x00])),
        headers: { ":authority": "evil.example", "content-type": "application/grpc", te: "trailers" },
      });
      expect([grpcStatusOf(reflection), reflection.body.length]).toEqual([GrpcStatus.PERMISSION_DENIED, 0]);
      const allowed = await rawCall(session, {
        path: list,
        body: "{}",
        headers: { ":authority": `registry.internal:${port(reg.rpcUrl)}`, ...JSON_TYPE },
      });
      expect(allowed.status).toBe(200);
    } finally {
      session.close();
    }
    const evil = grpcJsClient(ApplicationRegistryService, reg.rpcUrl.replace("http://", ""), {
      "grpc.default_authority": "evil.example",
    });
    try {
      const codeOf = (p: Promise<unknown>) =>
        p.then(
          () => "OK",
          (e) => e.code,
        );
      expect(await codeOf(evil.unary("listApplications", {}))).toBe(GrpcStatus.PERMISSION_DENIED);
      expect(
        await codeOf(
          evil.unary("registerApplication", { name: "Rebound", developer: "d", version: "1", contactEmail: "a@b.co" }),
        ),
      ).toBe(GrpcStatus.PERMISSION_DENIED);
    } finally {
      evil.close();
    }
    expect(await count()).toBe(before);
  });
});

describe("writes declare JSON", () => {
  test("regression: a body-less write without Content-Type (a cross-site form or fetch could send it) → 415, and nothing happens", async () => {
    const app = await register();
    const [row] = await reg.db.query(`select api_key_hash from applications where id = '${app.id}'`);
    for (const headers of [
      {},
      { "content-type": "text/plain" },
      { "content-type": "application/x-www-form-urlencoded" },
      { "content-type": "multipart/form-data; boundary=x" },
    ] as Record<string, string>[]) {
      const rekey = await fetch(`${reg.httpUrl}/api/applications/${app.id}/regenerate-key`, {
        method: "POST",
        headers,
      });
      expect([headers, rekey.status]).toEqual([headers, 415]);
      expect(await rekey.json()).toEqual({ error: "Content-Type must be application/json" });
      expect((await fetch(`${reg.httpUrl}/api/applications/${app.id}`, { method: "DELETE", headers })).status).toBe(
        415,
      );
      expect(
        (await fetch(`${reg.httpUrl}/api/applications/${app.id}`, { method: "PUT", headers, body: '{"version":"9"}' }))
          .status,
      ).toBe(415);
    }
    expect(await reg.db.query(`select api_key_hash, version from applications where id = '${app.id}'`)).toEqual([
      { ...row, version: "1.0.0" },
    ]);
    const rekey = await fetch(`${reg.httpUrl}/api/applications/${app.id}/regenerate-key`, {
      method: "POST",
      headers: JSON_TYPE,
    });
    expect(rekey.status).toBe(200);
    expect(
      (await fetch(`${reg.httpUrl}/api/applications/${app.id}`, { method: "DELETE", headers: JSON_TYPE })).status,
    ).toBe(200);
  });

  test("a registration sent as text/plain (a CORS simple request) is refused, whatever its body", async () => {
    const before = await count();
    const res = await fetch(`${reg.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(registration()),
    });
    expect(res.status).toBe(415);
    expect(await count()).toBe(before);
  });

  test("reads need no content type; a preflight is never granted", async () => {
    expect((await fetch(`${reg.httpUrl}/api/applications`)).status).toBe(200);
    const preflight = await fetch(`${reg.httpUrl}/api/applications`, {
      method: "OPTIONS",
      headers: {
        origin: "https://evil.example",
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
