/** Writes need the admin token; with none configured, only loopback callers may write. REST and RPC alike. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError } from "@connectrpc/connect";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import * as grpc from "@grpc/grpc-js";
import type { TestRegistry } from "./support/registry";
import { externalAddress } from "@iot/common/testing-network";
import { registration, startTestRegistry } from "./support/registry";
import { connectClients, grpcJsClient } from "./support/rpc-clients";

const TOKEN = "test-admin-token-0123456789";
const rpcRegistration = () => ({
  name: `RPC ${crypto.randomUUID()}`,
  developer: "d",
  version: "1",
  contactEmail: "a@b.co",
});
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (e instanceof ConnectError ? Code[e.code] : String(e)),
  );

/** This machine's first non-loopback IPv4 address: calling it makes the server see a remote peer. */
describe("with REGISTRY_ADMIN_TOKEN set", () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite", { adminToken: TOKEN });
  });
  afterAll(() => reg?.close());
  const post = (path: string, body: unknown, authorization?: string) =>
    fetch(reg.httpUrl + path, {
      method: "POST",
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(body),
    });

  test("REST writes: 401 without a bearer token, 403 with a wrong one, 201 with the right one", async () => {
    const none = await post("/api/applications", registration());
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toBe("Bearer");
    expect((await none.json()).error).toContain("Missing bearer token");
    expect((await post("/api/applications", registration(), `Basic ${btoa("admin:x")}`)).status).toBe(401);
    expect((await post("/api/applications", registration(), `Bearer ${TOKEN}x`)).status).toBe(403);
    expect((await post("/api/applications", registration(), "Bearer short")).status).toBe(403);
    const ok = await post("/api/applications", registration(), `bearer ${TOKEN}`);
    expect(ok.status).toBe(201);
    const { id } = (await ok.json()).application;
    for (const [method, path] of [
      ["PUT", `/api/applications/${id}`],
      ["DELETE", `/api/applications/${id}`],
      ["POST", `/api/applications/${id}/regenerate-key`],
    ] as const) {
      const res = await fetch(reg.httpUrl + path, {
        method,
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect([method, res.status]).toEqual([method, 401]);
    }
    const authorized = { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" };
    expect(
      (await fetch(`${reg.httpUrl}/api/applications/${id}`, { method: "DELETE", headers: authorized })).status,
    ).toBe(200);
  });

  test("an unauthorized write is refused before its body is read", async () => {
    const res = await fetch(`${reg.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{bad",
    });
    expect(res.status).toBe(401);
  });

  test("reads need no token", async () => {
    expect((await fetch(`${reg.httpUrl}/api/applications`)).status).toBe(200);
    expect((await post("/api/applications/by-device-types", { device_types: ["smart_breaker"] })).status).toBe(200);
    const { grpc: client } = connectClients(reg.rpcUrl);
    expect(await codeOf(client.listApplications({}))).toBe("OK");
  });

  test("RPC writes: Unauthenticated, PermissionDenied, then OK through the authorization header", async () => {
    const { connect, grpcWeb } = connectClients(reg.rpcUrl);
    expect(await codeOf(connect.registerApplication(rpcRegistration()))).toBe("Unauthenticated");
    expect(
      await codeOf(connect.registerApplication(rpcRegistration(), { headers: { authorization: "Bearer nope" } })),
    ).toBe("PermissionDenied");
    expect(
      await codeOf(grpcWeb.registerApplication(rpcRegistration(), { headers: { authorization: `Bearer ${TOKEN}` } })),
    ).toBe("OK");
    const grpcJs = grpcJsClient(ApplicationRegistryService, reg.rpcUrl.replace("http://", ""));
    try {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${TOKEN}`);
      expect((await grpcJs.unary("registerApplication", rpcRegistration(), metadata)).apiKey).toBeTruthy();
      expect(await grpcJs.unary("deleteApplication", { id: "x" }).catch((e) => e.code)).toBe(
        grpc.status.UNAUTHENTICATED,
      );
    } finally {
      grpcJs.close();
    }
  });
});

describe("with no REGISTRY_ADMIN_TOKEN", () => {
  let reg: TestRegistry;
  let remoteHttp: string;
  let remoteRpc: string;
  beforeAll(async () => {
    const host = externalAddress();
    // The registry must answer to that address for the write guard to be what refuses.
    // Listening on every interface, so the test can call it from a non-loopback address.
    reg = await startTestRegistry("sqlite", { bindHost: "0.0.0.0", allowedHosts: [host] });
    remoteHttp = reg.httpUrl.replace("127.0.0.1", host);
    remoteRpc = reg.rpcUrl.replace("127.0.0.1", host);
  });
  afterAll(() => reg?.close());

  test("REST: writes from a non-loopback address → 403; reads still work; loopback writes work", async () => {
    const remote = await fetch(`${remoteHttp}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(registration()),
    });
    expect(remote.status).toBe(403);
    expect((await remote.json()).error).toContain("loopback only");
    expect((await fetch(`${remoteHttp}/api/applications`)).status).toBe(200);
    const local = await fetch(`${reg.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(registration()),
    });
    expect(local.status).toBe(201);
  });

  test("RPC: writes from a non-loopback address → PermissionDenied, even with a token; loopback writes work", async () => {
    const remote = connectClients(remoteRpc);
    expect(await codeOf(remote.grpc.registerApplication(rpcRegistration()))).toBe("PermissionDenied");
    expect(
      await codeOf(
        remote.connect.registerApplication(rpcRegistration(), { headers: { authorization: "Bearer anything" } }),
      ),
    ).toBe("PermissionDenied");
    expect(await codeOf(remote.grpc.listApplications({}))).toBe("OK");
    expect(await codeOf(connectClients(reg.rpcUrl).grpc.registerApplication(rpcRegistration()))).toBe("OK");
  });
});
