/** The dashboard's registry client against the real App Registry (REST over HTTP). */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { uniqueName } from "@iot/common/testing";
import { type ApplicationInput, createRegistryClient, RegistryError } from "../src/registry/client";
import { startRegistry } from "./registry";

const TOKEN = "dashboard-test-token";
let registry: Awaited<ReturnType<typeof startRegistry>>;
let client: ReturnType<typeof createRegistryClient>;
const input = (overrides: Partial<ApplicationInput> = {}): ApplicationInput => ({
  name: uniqueName("App"),
  version: "1.0.0",
  developer: "Ops",
  contact_email: "ops@example.com",
  description: null,
  category: "Monitoring",
  platform: "web",
  devicetypes: ["smart_breaker"],
  ...overrides,
});

beforeAll(async () => {
  registry = await startRegistry(TOKEN);
  client = createRegistryClient({ url: registry.url, token: TOKEN, timeoutMs: 3_000 });
});
afterAll(() => registry.stop());

test("device types come from the registry's device-type file", async () => {
  const types = await client.deviceTypes();
  expect(types.map((t) => t.id)).toEqual(
    expect.arrayContaining(["smart_breaker", "smart_meter", "environmental_sensor"]),
  );
  expect(types.find((t) => t.id === "smart_breaker")?.name).toBe("Smart Circuit Breaker");
});

test("register returns the key apart from the application; reads never carry it", async () => {
  const result = await client.register(input({ name: "<img src=x onerror=alert(1)>" }));
  if (!result.ok) throw new Error(result.error);
  expect(result.value.apiKey.length).toBeGreaterThan(16);
  expect(JSON.stringify(result.value.application)).not.toContain(result.value.apiKey);
  const listed = (await client.listApplications()).find((a) => a.id === result.value.application.id);
  expect(listed?.name).toBe("<img src=x onerror=alert(1)>");
  expect(JSON.stringify(listed)).not.toContain("api_key");
});

test("refusals are outcomes with field messages: validation and duplicate names", async () => {
  const bad = await client.register(input({ contact_email: "nope", version: "" }));
  expect(bad).toMatchObject({
    ok: false,
    status: 400,
    details: { contact_email: [expect.any(String)], version: [expect.any(String)] },
  });
  const name = uniqueName("Taken");
  expect((await client.register(input({ name }))).ok).toBe(true);
  const dup = await client.register(input({ name: name.toUpperCase() }));
  expect(dup).toMatchObject({ ok: false, status: 409, details: { name: [expect.any(String)] } });
});

test("update, regenerate and delete; a missing registration is a 404 outcome", async () => {
  const created = await client.register(input());
  if (!created.ok) throw new Error(created.error);
  const id = created.value.application.id;
  const updated = await client.update(id, {
    ...input({ name: created.value.application.name }),
    status: "inactive",
    devicetypes: ["smart_meter"],
  });
  expect(updated).toMatchObject({ ok: true, value: { status: "inactive", devicetypes: ["smart_meter"] } });
  const key = await client.regenerateKey(id);
  expect(key.ok && key.value !== created.value.apiKey).toBe(true);
  expect((await client.remove(id)).ok).toBe(true);
  expect(await client.getApplication(id)).toBeUndefined();
  expect(await client.remove(id)).toMatchObject({ ok: false, status: 404 });
});

test("a wrong token or an unreachable registry is a RegistryError saying which", async () => {
  const wrong = createRegistryClient({ url: registry.url, token: "wrong", timeoutMs: 3_000 });
  expect(await wrong.register(input()).catch((e: RegistryError) => e.kind)).toBe("refused");
  const gone = createRegistryClient({ url: "http://127.0.0.1:9", token: TOKEN, timeoutMs: 1_000 });
  const error = await gone.deviceTypes().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as RegistryError).kind).toBe("unreachable");
});

test("the edit form's read carries the contact e-mail (it sends the token); the list, read anonymously, does not", async () => {
  const created = await client.register(input({ contact_email: "form-owner@example.com" }));
  if (!created.ok) throw new Error(created.error);
  const id = created.value.application.id;
  expect((await client.getApplication(id))?.contact_email).toBe("form-owner@example.com");
  expect(JSON.stringify((await client.listApplications()).find((a) => a.id === id))).not.toContain(
    "form-owner@example.com",
  );
});
