/** The application forms through app.handle, against an in-memory stand-in for the registry client. */
import { describe, expect, test } from "bun:test";
import type { ApplicationInput, Outcome, RegistryApplication, RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/client";
import { quietLogger } from "@iot/common/testing";
import { type Platform, PLATFORMS, type Status, STATUSES } from "@iot/common/wire";
import { applicationRoutes } from "./application-routes";
import { errorResponses } from "./errors";
import { security } from "./security";

// The registry accepts only its own enums; so does its stand-in.
const isPlatform = (p: string | null): p is Platform | null => p === null || (PLATFORMS as readonly string[]).includes(p);
const isStatus = (s: string | undefined): s is Status | undefined => s === undefined || (STATUSES as readonly string[]).includes(s);

function fakeRegistry(): RegistryClient & { apps: Map<string, RegistryApplication>; down: boolean; listingFails: boolean } {
  const apps = new Map<string, RegistryApplication>();
  const refuse = (details: Record<string, string[]>): Outcome<never> => ({ ok: false, status: 400, error: "Validation failed", details });
  const check = () => {
    if (fake.down) throw new RegistryError("unreachable", "App Registry at http://registry did not answer: ECONNREFUSED");
  };
  const fake = {
    apps,
    down: false,
    listingFails: false,
    async deviceTypes() {
      check();
      return [{ id: "smart_breaker", name: "Smart Circuit Breaker" }, { id: "smart_meter", name: "Smart Meter" }];
    },
    async listApplications() {
      check();
      if (fake.listingFails) throw new RegistryError("failed", "App Registry answered 500: Internal error");
      return [...apps.values()];
    },
    getApplication: async (id: string) => (check(), apps.get(id)),
    async register(input: ApplicationInput) {
      check();
      if (!input.contact_email.includes(".")) return refuse({ contact_email: ["Not a valid email address."] });
      const { platform } = input;
      if (!isPlatform(platform)) return refuse({ platform: ["Not a platform."] });
      const application: RegistryApplication = { ...input, platform, id: crypto.randomUUID(), status: "active", webhook_url: null, webhook_event_types: [], created_at: "", updated_at: "" };
      apps.set(application.id, application);
      return { ok: true as const, value: { application, apiKey: "key-shown-once" } };
    },
    async update(id: string, input: ApplicationInput) {
      check();
      const a = apps.get(id);
      if (!a) return { ok: false as const, status: 404, error: "Application not found", details: {} };
      if (input.name === "") return refuse({ name: ["Length must be between 1 and 100."] });
      const { platform, status } = input;
      if (!isPlatform(platform) || !isStatus(status)) return refuse({ platform: ["Not a platform or status."] });
      apps.set(id, { ...a, ...input, platform, status: status ?? a.status });
      return { ok: true as const, value: apps.get(id)! };
    },
    remove: async (id: string) => (check(), apps.delete(id) ? { ok: true as const, value: null } : { ok: false as const, status: 404, error: "Application not found", details: {} }),
    regenerateKey: async (id: string) => (check(), apps.has(id) ? { ok: true as const, value: "second-key" } : { ok: false as const, status: 404, error: "Application not found", details: {} }),
  };
  return fake;
}

const setup = () => {
  const registry = fakeRegistry();
  const app = errorResponses(quietLogger()).use(security()).use(applicationRoutes(registry));
  const send = (method: string, path: string, form?: Record<string, string | string[]>) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form ?? {})) for (const one of [v].flat()) body.append(k, one);
    return app.handle(new Request(`http://localhost${path}`, { method, headers: { "hx-request": "true", "content-type": "application/x-www-form-urlencoded" }, body: form ? body : undefined }));
  };
  return { registry, send };
};

const valid = { name: "<img src=x onerror=alert(1)>", version: "1.0.0", developer: "Ops", contact_email: "ops@example.com", platform: "web", category: "", description: "", devicetypes: ["smart_breaker", "smart_meter"] };

describe("application forms", () => {
  test("the page groups registrations under the registry's device types", async () => {
    const { registry, send } = setup();
    await send("POST", "/applications", valid);
    const page = await (await send("GET", "/applications")).text();
    expect(page).toContain("Smart Circuit Breaker <code>smart_breaker</code>");
    expect(page.match(/&lt;img src=x onerror=alert\(1\)&gt;/g)?.length).toBe(2);
    expect(page).not.toContain("<img src=x");
    expect(page).not.toContain("key-shown-once");
    expect(registry.apps.size).toBe(1);
  });

  test("registering answers with the api key once, a fresh form and the updated list", async () => {
    const { send } = setup();
    const res = await send("POST", "/applications", valid);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`<hx-partial hx-target="#notice" hx-swap="innerHTML">`);
    expect(body).toContain(`<code class="api-key">key-shown-once</code>`);
    expect(body).toContain(`<hx-partial hx-target="#register-form" hx-swap="innerHTML">`);
    expect(body).toContain(`<hx-partial hx-target="#apps" hx-swap="innerMorph">`);
  });

  test("the registry's validation messages appear next to their fields, with what was typed kept", async () => {
    const { send } = setup();
    const res = await send("POST", "/applications", { ...valid, contact_email: "ops@localhost" });
    expect(res.status).toBe(422);
    const body = await res.text();
    expect(body).toContain(`<span class="error" id="err-contact_email">Not a valid email address.</span>`);
    expect(body).toContain(`value="ops@localhost"`);
    expect(body).toContain(`value="&lt;img src=x onerror=alert(1)&gt;"`);
    expect(body).toContain(`value="smart_meter" checked`);
    expect(body).not.toContain(`hx-target="#apps"`);
  });

  test("edit loads the registration into a form; saving, re-keying and deleting update the page", async () => {
    const { registry, send } = setup();
    await send("POST", "/applications", valid);
    const [id] = [...registry.apps.keys()];
    const edit = await (await send("GET", `/applications/${id}/edit`)).text();
    expect(edit).toContain(`hx-put="/applications/${id}"`);
    expect(edit).toContain(`<option value="active" selected>active</option>`);

    const rejected = await send("PUT", `/applications/${id}`, { ...valid, name: "" });
    expect(rejected.status).toBe(422);
    expect(await rejected.text()).toContain("Length must be between 1 and 100.");
    const saved = await send("PUT", `/applications/${id}`, { ...valid, name: "Renamed", status: "inactive", devicetypes: [] });
    expect(await saved.text()).toContain("Saved <strong>Renamed</strong>");
    expect(registry.apps.get(id!)).toMatchObject({ name: "Renamed", status: "inactive", devicetypes: [] });

    const rekey = await (await send("POST", `/applications/${id}/regenerate-key`)).text();
    expect(rekey).toContain(`New key for <strong>Renamed</strong>`);
    expect(rekey).toContain("second-key");

    expect(await (await send("DELETE", `/applications/${id}`)).text()).toContain("Registration deleted.");
    const gone = await send("DELETE", `/applications/${id}`);
    expect(gone.status).toBe(404);
    expect(await gone.text()).toContain("Application not found");
  });

  test("a key just issued is shown even when the list cannot be refreshed after it", async () => {
    const { registry, send } = setup();
    registry.listingFails = true;
    const res = await send("POST", "/applications", valid);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`<code class="api-key">key-shown-once</code>`);
    expect(body).toContain("The list could not be refreshed: App Registry answered 500");
    const [id] = [...registry.apps.keys()];
    expect(await (await send("POST", `/applications/${id}/regenerate-key`)).text()).toContain("second-key");
  });

  test("a registry that cannot be reached is a notice, not a crash", async () => {
    const { registry, send } = setup();
    registry.down = true;
    const page = await send("GET", "/applications");
    expect(page.status).toBe(502);
    expect(await page.text()).toContain("App Registry at http://registry did not answer");
    const write = await send("POST", "/applications", valid);
    expect(write.status).toBe(502);
    expect(await write.text()).toContain(`<hx-partial hx-target="#notice" hx-swap="innerHTML"><p class="error">App Registry at http://registry did not answer`);
  });
});
