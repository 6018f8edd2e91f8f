/**
 * A device's token and its hash appear only where they must: the create/regenerate/import reply
 * (token) and WatchDevices (hash). Never in REST reads, the OpenAPI document, metrics or logs.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import type { TestRegistry } from "./support/registry";
import { startTestRegistry } from "./support/registry";

const ADMIN = "secrets-test-admin-token";
const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
let reg: TestRegistry;
beforeAll(async () => {
  reg = await startTestRegistry("sqlite", { adminToken: ADMIN });
});
afterAll(() => reg?.close());

test("no token or token hash in REST reads, OpenAPI, metrics or logs", async () => {
  const auth = { authorization: `Bearer ${ADMIN}` };
  const send = async (method: string, path: string, body?: string, type = "application/json") => {
    const res = await fetch(reg.httpUrl + path, { method, headers: { ...auth, "content-type": type }, body });
    return { status: res.status, text: await res.text() };
  };
  const tokens: string[] = [];
  const created = JSON.parse(
    (await send("POST", "/api/devices", JSON.stringify({ device_id: "secret-1", device_type: "smart_meter" }))).text,
  );
  tokens.push(created.token);
  tokens.push(JSON.parse((await send("POST", "/api/devices/secret-1/regenerate-token")).text).token);
  const bulk = JSON.parse(
    (
      await send(
        "POST",
        "/api/devices/bulk",
        "device_id,device_type\nsecret-2,smart_meter\nsecret-3,toaster\n",
        "text/csv",
      )
    ).text,
  );
  tokens.push(bulk.results[0].token);
  const rpc = createClient(DeviceRegistryService, createGrpcTransport({ baseUrl: reg.rpcUrl }));
  tokens.push((await rpc.createDevice({ deviceId: "secret-4", deviceType: "smart_breaker" }, { headers: auth })).token);
  tokens.push((await rpc.regenerateDeviceToken({ deviceId: "secret-4" }, { headers: auth })).token);
  // A watcher receives hashes (that is its purpose); what it receives must not leak elsewhere.
  const abort = new AbortController();
  for await (const event of rpc.watchDevices({}, { headers: auth, signal: abort.signal })) {
    expect(event.event.case).toBe("snapshot");
    break;
  }
  await send("PATCH", "/api/devices/secret-2", JSON.stringify({ status: "disabled" }));
  await send("DELETE", "/api/devices/secret-4");
  await send(
    "POST",
    "/api/devices",
    JSON.stringify({ device_id: "secret-1", device_type: "smart_meter", token: tokens[0] }),
  );
  expect(tokens.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t))).toBe(true);

  const reads = await Promise.all(
    [
      "/api/devices",
      "/api/devices?search=secret",
      "/api/devices/secret-1",
      "/api/devices/secret-2",
      "/openapi/json",
      "/metrics",
    ].map((p) => send("GET", p)),
  );
  const everything = [...reads.map((r) => r.text), ...reg.logs].join("\n");
  expect(reads.every((r) => r.status === 200)).toBe(true);
  expect(everything).toContain("secret-1");
  for (const token of tokens) {
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(sha256(token));
  }
  // The rejected create (unknown field `token`) echoes the field's name, never its value.
  expect(everything).not.toMatch(/token_sha256|tokenSha256/);
});
