import { afterEach, describe, expect, test } from "bun:test";
import { DeviceStatus } from "@gen/iot/registry/v1/devices_pb";
import { eventually, quietLogger } from "@iot/common/testing";
import { createFakeDeviceWatch, credential } from "../test/support/fake-device-watch";
import { createCredentials, type Credentials } from "./credentials";

let cache: Credentials | undefined;
afterEach(async () => {
  await cache?.stop();
  cache = undefined;
});

const start = (registry: ReturnType<typeof createFakeDeviceWatch>, token?: string) => {
  cache = createCredentials({
    transport: registry.transport,
    log: quietLogger(),
    token,
    backoff: { initialMs: 10, maxMs: 50 },
  });
  cache.start();
  return cache;
};

describe("device credentials cache", () => {
  test("checks tokens against the snapshot: the right token passes; a wrong, missing or unknown one looks the same", async () => {
    const c = start(createFakeDeviceWatch([credential("meter-1", "s3cret")]));
    await eventually("snapshot", () => (c.current ? true : undefined));
    expect(c.verify("meter-1", "s3cret")).toEqual({ ok: true, deviceType: "smart_meter" });
    expect(c.verify("meter-1", "wrong")).toEqual({ ok: false, reason: "bad_credentials" });
    expect(c.verify("meter-1", undefined)).toEqual({ ok: false, reason: "bad_credentials" });
    expect(c.verify("meter-1", "")).toEqual({ ok: false, reason: "bad_credentials" });
    expect(c.verify("nobody", "s3cret")).toEqual({ ok: false, reason: "bad_credentials" });
  });

  test("follows changes: a new device, a disabled one, a deleted one, a new token", async () => {
    const registry = createFakeDeviceWatch([credential("a", "ta")]);
    const c = start(registry);
    await eventually("snapshot", () => (c.current ? true : undefined));
    registry.put(credential("b", "tb"));
    await eventually("b known", () => (c.verify("b", "tb").ok ? true : undefined));
    registry.put(credential("a", "ta", DeviceStatus.DISABLED));
    await eventually("a disabled", () => (c.verify("a", "ta").ok ? undefined : true));
    expect(c.verify("a", "ta")).toEqual({ ok: false, reason: "disabled" });
    registry.put(credential("b", "tb2"));
    await eventually("b's new token", () => (c.verify("b", "tb2").ok ? true : undefined));
    expect(c.verify("b", "tb").ok).toBe(false);
    registry.remove("b");
    await eventually("b gone", () => (c.verify("b", "tb2").ok ? undefined : true));
  });

  test("a registry outage keeps the known devices working; the stream re-opens and catches up", async () => {
    const registry = createFakeDeviceWatch([credential("a", "ta"), credential("gone", "tg")]);
    const c = start(registry);
    await eventually("snapshot", () => (c.current ? true : undefined));
    registry.down();
    await eventually("not current", () => (c.current ? undefined : true));
    expect(c.verify("a", "ta").ok).toBe(true);
    // Changed while the stream was down: seen in the next snapshot.
    registry.remove("gone");
    registry.put(credential("new", "tn"));
    registry.up();
    await eventually("current again", () => (c.current ? true : undefined));
    expect(c.verify("new", "tn").ok).toBe(true);
    expect(c.verify("gone", "tg").ok).toBe(false);
    expect(c.size()).toBe(2);
  });

  test("tells when a device's credential stops being valid: disabled, new token, deleted (not when it is created or re-enabled)", async () => {
    const registry = createFakeDeviceWatch([credential("a", "ta"), credential("b", "tb"), credential("c", "tc")]);
    const c = start(registry);
    const revoked: string[] = [];
    c.onRevoked((id) => revoked.push(id));
    await eventually("snapshot", () => (c.current ? true : undefined));
    registry.put(credential("a", "ta", DeviceStatus.DISABLED));
    registry.put(credential("a", "ta"));
    registry.put(credential("b", "tb-new"));
    registry.put(credential("new", "tn"));
    registry.remove("c");
    await eventually("three revocations", () => (revoked.length >= 3 ? true : undefined));
    expect(revoked).toEqual(["a", "b", "c"]);
  });

  test("before the first snapshot no device is judged: the registry is what is missing", async () => {
    const registry = createFakeDeviceWatch([credential("a", "ta")]);
    registry.down();
    const c = start(registry);
    expect(await c.synced(30)).toBe(false);
    expect(c.verify("a", "ta")).toEqual({ ok: false, reason: "registry_unavailable" });
    registry.up();
    expect(await c.synced(5_000)).toBe(true);
    expect(c.verify("a", "ta").ok).toBe(true);
  });

  test("sends the admin token on the watch when one is configured", async () => {
    const registry = createFakeDeviceWatch([]);
    const c = start(registry, "admin-t");
    await eventually("snapshot", () => (c.current ? true : undefined));
    expect(registry.authorizations).toEqual(["Bearer admin-t"]);
  });
});
