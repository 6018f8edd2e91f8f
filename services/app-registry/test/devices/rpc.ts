/** DeviceRegistryService through a real h2c server; run once per database (devices-rpc-*.test.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type { Client } from "@connectrpc/connect";
import { createClient, Code, ConnectError } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { DeviceRegistryService, DeviceStatus, ImportOutcome } from "@gen/iot/registry/v1/devices_pb";
import { ChangeType } from "@gen/iot/registry/v1/registry_pb";
import type { Dialect } from "../support/databases";
import type { TestRegistry } from "../support/registry";
import { startTestRegistry } from "../support/registry";
import { within } from "../support/rpc-clients";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "OK",
    (e) => (e instanceof ConnectError ? Code[e.code] : String(e)),
  );

export function deviceRpcSuite(dialect: Dialect) {
  describe(`DeviceRegistryService on ${dialect}`, () => {
    let reg: TestRegistry;
    let grpc: Client<typeof DeviceRegistryService>;
    let connect: Client<typeof DeviceRegistryService>;
    beforeAll(async () => {
      reg = await startTestRegistry(dialect);
      grpc = createClient(DeviceRegistryService, createGrpcTransport({ baseUrl: reg.rpcUrl }));
      connect = createClient(DeviceRegistryService, createConnectTransport({ baseUrl: reg.rpcUrl, httpVersion: "2" }));
    }, 30_000);
    afterAll(() => reg?.close());
    const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

    test("create (token once), get, list with filters, partial update, regenerate, delete", async () => {
      const id = unique("rpc");
      const created = await grpc.createDevice({
        deviceId: id,
        deviceType: "smart_breaker",
        name: "Panel",
        labels: { site: "s1" },
      });
      expect(created.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(created.device).toMatchObject({
        deviceId: id,
        deviceType: "smart_breaker",
        name: "Panel",
        labels: { site: "s1" },
        status: DeviceStatus.ENABLED,
      });
      expect((await connect.getDevice({ deviceId: id })).device?.name).toBe("Panel");
      const listed = await grpc.listDevices({
        deviceType: "smart_breaker",
        status: DeviceStatus.ENABLED,
        labels: ["site:s1"],
        search: id.toUpperCase(),
      });
      expect(listed.devices.map((d) => d.deviceId)).toEqual([id]);
      expect(listed.total).toBe(1);
      const updated = await grpc.updateDevice({ deviceId: id, status: DeviceStatus.DISABLED });
      expect(updated.device).toMatchObject({ name: "Panel", labels: { site: "s1" }, status: DeviceStatus.DISABLED });
      expect((await grpc.updateDevice({ deviceId: id, labels: { values: {} } })).device?.labels).toEqual({});
      const { token } = await grpc.regenerateDeviceToken({ deviceId: id });
      expect(token).not.toBe(created.token);
      await grpc.deleteDevice({ deviceId: id });
      expect(await codeOf(grpc.getDevice({ deviceId: id }))).toBe("NotFound");
    });

    test("errors: invalid fields, unknown type, duplicate, missing device", async () => {
      const invalid = await grpc
        .createDevice({ deviceId: "no spaces", deviceType: "smart_meter", labels: { "bad key": "v" } })
        .catch((e) => e as ConnectError);
      expect(invalid).toBeInstanceOf(ConnectError);
      expect((invalid as ConnectError).code).toBe(Code.InvalidArgument);
      expect((invalid as ConnectError).rawMessage).toContain("device_id: Not a valid device id");
      expect((invalid as ConnectError).rawMessage).toContain("labels: Label key");
      expect(await codeOf(grpc.createDevice({ deviceId: unique("t"), deviceType: "toaster" }))).toBe("InvalidArgument");
      const id = unique("dup");
      await grpc.createDevice({ deviceId: id, deviceType: "smart_meter" });
      expect(await codeOf(grpc.createDevice({ deviceId: id, deviceType: "smart_meter" }))).toBe("AlreadyExists");
      expect(await codeOf(grpc.updateDevice({ deviceId: id, status: DeviceStatus.UNSPECIFIED }))).toBe(
        "InvalidArgument",
      );
      expect(await codeOf(grpc.updateDevice({ deviceId: unique("none"), name: "x" }))).toBe("NotFound");
      expect(await codeOf(grpc.listDevices({ labels: ["nocolon"] }))).toBe("InvalidArgument");
    });

    test("ImportDevices: per-row outcomes, idempotent", async () => {
      const tag = unique("imp");
      const devices = [
        { deviceId: `${tag}-0`, deviceType: "smart_meter", labels: { a: "1" } },
        { deviceId: `${tag}-1`, deviceType: "toaster" },
        { deviceId: "bad id", deviceType: "smart_meter" },
      ];
      const first = await grpc.importDevices({ devices });
      expect(first.results.map((r) => r.outcome)).toEqual([
        ImportOutcome.CREATED,
        ImportOutcome.ERROR,
        ImportOutcome.ERROR,
      ]);
      expect(first.results[0]!.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(first.results[2]!.error).toStartWith("device_id: Not a valid device id");
      const again = await grpc.importDevices({ devices: devices.slice(0, 1) });
      expect(again.results[0]).toMatchObject({ outcome: ImportOutcome.UNCHANGED, token: "" });
    });

    test("WatchDevices: snapshot of credentials, then each change (create, disable, regenerate, delete) within 1 s", async () => {
      const before = await grpc.createDevice({ deviceId: unique("seen"), deviceType: "smart_meter" });
      const abort = new AbortController();
      const stream = grpc.watchDevices({}, { signal: abort.signal })[Symbol.asyncIterator]();
      const next = async () => (await within(1_000, stream.next(), "watch event")).value!.event;
      const snapshot = await next();
      expect(snapshot.case).toBe("snapshot");
      const mine =
        snapshot.case === "snapshot"
          ? snapshot.value.devices.find((d: { deviceId: string }) => d.deviceId === before.device!.deviceId)
          : undefined;
      expect(mine).toMatchObject({
        deviceType: "smart_meter",
        status: DeviceStatus.ENABLED,
        tokenSha256: sha256(before.token),
      });

      const id = unique("live");
      const rest = (method: string, path: string, body?: unknown) =>
        fetch(reg.httpUrl + path, {
          method,
          headers: { "content-type": "application/json" },
          body: body === undefined ? undefined : JSON.stringify(body),
        }).then((r) => r.json() as any);
      const { token } = await rest("POST", "/api/devices", { device_id: id, device_type: "smart_breaker" });
      expect(await next()).toMatchObject({
        case: "change",
        value: {
          type: ChangeType.CREATED,
          device: { deviceId: id, status: DeviceStatus.ENABLED, tokenSha256: sha256(token) },
        },
      });
      await rest("PATCH", `/api/devices/${id}`, { status: "disabled" });
      expect(await next()).toMatchObject({
        case: "change",
        value: { type: ChangeType.UPDATED, device: { deviceId: id, status: DeviceStatus.DISABLED } },
      });
      const regenerated = await rest("POST", `/api/devices/${id}/regenerate-token`);
      expect(await next()).toMatchObject({
        case: "change",
        value: { type: ChangeType.UPDATED, device: { deviceId: id, tokenSha256: sha256(regenerated.token) } },
      });
      await rest("DELETE", `/api/devices/${id}`);
      expect(await next()).toMatchObject({
        case: "change",
        value: { type: ChangeType.DELETED, device: { deviceId: id, deviceType: "smart_breaker" } },
      });
      abort.abort();
    });
  });
}
