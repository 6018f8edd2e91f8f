/** Device writes follow the applications' rule; WatchDevices, which carries token hashes, needs the admin token too. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Client } from "@connectrpc/connect";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import type { TestRegistry } from "./support/registry";
import { startTestRegistry } from "./support/registry";
import { within } from "./support/rpc-clients";

const TOKEN = "test-admin-token-devices-0123";
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (e instanceof ConnectError ? Code[e.code] : String(e)),
  );

describe("with REGISTRY_ADMIN_TOKEN set", () => {
  let reg: TestRegistry;
  let client: Client<typeof DeviceRegistryService>;
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite", { adminToken: TOKEN });
    client = createClient(DeviceRegistryService, createGrpcTransport({ baseUrl: reg.rpcUrl }));
  });
  afterAll(() => reg?.close());
  const call = (method: string, path: string, authorization?: string, body: unknown = {}) =>
    fetch(reg.httpUrl + path, {
      method,
      headers: { "content-type": "application/json", ...(authorization ? { authorization } : {}) },
      body: method === "GET" ? undefined : JSON.stringify(body),
    });

  test("REST device writes: 401 without a token, 403 with a wrong one; reads need none", async () => {
    const device = { device_id: "auth-1", device_type: "smart_meter" };
    expect((await call("POST", "/api/devices", undefined, device)).status).toBe(401);
    expect((await call("POST", "/api/devices", "Bearer wrong", device)).status).toBe(403);
    expect((await call("POST", "/api/devices", `Bearer ${TOKEN}`, device)).status).toBe(201);
    for (const [method, path] of [
      ["PATCH", "/api/devices/auth-1"],
      ["DELETE", "/api/devices/auth-1"],
      ["POST", "/api/devices/auth-1/regenerate-token"],
      ["POST", "/api/devices/bulk"],
    ] as const)
      expect([method, path, (await call(method, path, undefined, [])).status]).toEqual([method, path, 401]);
    expect((await call("GET", "/api/devices")).status).toBe(200);
    expect((await call("GET", "/api/devices/auth-1")).status).toBe(200);
  });

  test("RPC: writes and WatchDevices are Unauthenticated without the token, PermissionDenied with a wrong one", async () => {
    expect(await codeOf(client.createDevice({ deviceId: "auth-2", deviceType: "smart_meter" }))).toBe(
      "Unauthenticated",
    );
    expect(await codeOf(client.importDevices({ devices: [] }, { headers: { authorization: "Bearer nope" } }))).toBe(
      "PermissionDenied",
    );
    const watch = async (headers?: Record<string, string>) => {
      for await (const _ of client.watchDevices({}, { headers })) return "OK";
      return "ended";
    };
    expect(await codeOf(watch())).toBe("Unauthenticated");
    expect(await codeOf(watch({ authorization: "Bearer nope" }))).toBe("PermissionDenied");
    expect(await within(2_000, watch({ authorization: `Bearer ${TOKEN}` }), "snapshot")).toBe("OK");
    expect(await codeOf(client.listDevices({}))).toBe("OK");
  });
});
