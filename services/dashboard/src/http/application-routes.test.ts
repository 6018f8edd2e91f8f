/** The application forms through app.handle, against an in-memory stand-in for the registry client. */
import { describe, expect, test } from "bun:test";
import type { ApplicationInput, Outcome, RegistryApplication, RegistryClient } from "../registry/client";
import { RegistryError } from "../registry/client";
import { quietLogger } from "@iot/common/testing";
import { type Platform, PLATFORMS, type Status, STATUSES } from "@iot/common/wire";
import { testAccess } from "../../test/access";
import { applicationRoutes } from "./application-routes";
import { errorResponses } from "./errors";
import { operatorGuard } from "./operator-guard";
import { allowedHostNames, security } from "./security";

// The registry accepts only its own enums; so does its stand-in.
const isPlatform = (p: string | null): p is Platform | null =>
  p === null || (PLATFORMS as readonly string[]).includes(p);
const isStatus = (s: string | undefined): s is Status | undefined =>
  s === undefined || (STATUSES as readonly string[]).includes(s);

function fakeRegistry(): RegistryClient & {
  apps: Map<string, RegistryApplication>;
  down: boolean;
  listingFails: boolean;
} {
  const apps = new Map<string, RegistryApplication>();
  const refuse = (details: Record<string, string[]>): Outcome<never> => ({
    ok: false,
    status: 400,
    error: "Validation failed",
    details,
  });
  const check = () => {
    if (fake.down)
      throw new RegistryError("unreachable", "App Registry at http://registry did not answer: ECONNREFUSED");
  };
  const fake = {
    apps,
    down: false,
    listingFails: false,
    async deviceTypes() {
      check();
      return [
        { id: "smart_breaker", name: "Smart Circuit Breaker" },
        { id: "smart_meter", name: "Smart Meter" },
      ];
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
      const application: RegistryApplication = {
        ...input,
        platform,
        id: crypto.randomUUID(),
        status: "active",
        webhook_url: null,
        webhook_event_types: [],
        created_at: "",
        updated_at: "",
      };
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
    remove: async (id: string) => (
      check(),
      apps.delete(id)
        ? { ok: true as const, value: null }
        : { ok: false as const, status: 404, error: "Application not found", details: {} }
    ),
    regenerateKey: async (id: string) => (
      check(),
      apps.has(id)
        ? { ok: true as const, value: "second-key" }
        : { ok: false as const, status: 404, error: "Application not found", details: {} }
    ),
  };
  return fake;
}

const BODY_LIMIT = 4_096;

const setup = () => {
  const registry = fakeRegistry();
  const { access, identify, loggedIn } = testAccess({ operators: new Map([["alice", "$argon2id$unused"]]) });
  const app = errorResponses(quietLogger())
    .use(security({ allowedHosts: allowedHostNames("127.0.0.1", []), maxBodyBytes: BODY_LIMIT }))
    .use(operatorGuard(access, identify))
    .use(applicationRoutes({ registry, access, identify, maxBodyBytes: BODY_LIMIT }));
  const operator = loggedIn("alice");
  /** As a logged-in operator unless `as` says otherwise. */
  const send = (
    method: string,
    path: string,
    form?: Record<string, string | string[]>,
    as: { cookie?: string } = { cookie: operator },
  ) => {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form ?? {})) for (const one of [v].flat()) body.append(k, one);
    const headers: Record<string, string> = {
      "hx-request": "true",
      "content-type": "application/x-www-form-urlencoded",
    };
    if (as.cookie) headers.cookie = as.cookie;
    return app.handle(new Request(`http://localhost${path}`, { method, headers, body: form ? body : undefined }));
  };
  const raw = (method: string, path: string, init: RequestInit) =>
    app.handle(
      new Request(`http://localhost${path}`, {
        method,
        ...init,
        headers: { "hx-request": "true", cookie: operator, ...(init.headers as Record<string, string>) },
      }),
    );
  return { registry, send, raw };
};

const valid = {
  name: "<img src=x onerror=alert(1)>",
  version: "1.0.0",
  developer: "Ops",
  contact_email: "ops@example.com",
  platform: "web",
  category: "",
  description: "",
  devicetypes: ["smart_breaker", "smart_meter"],
};

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
    const saved = await send("PUT", `/applications/${id}`, {
      ...valid,
      name: "Renamed",
      status: "inactive",
      devicetypes: [],
    });
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
    expect(await write.text()).toContain(
      `<hx-partial hx-target="#notice" hx-swap="innerHTML"><p class="error">App Registry at http://registry did not answer`,
    );
  });
});

describe("only operators change registrations", () => {
  test("an anonymous write is refused before it reaches the registry, whatever it sends", async () => {
    const { registry, send } = setup();
    await send("POST", "/applications", valid);
    const [id] = [...registry.apps.keys()];
    const before = JSON.stringify([...registry.apps]);
    for (const [method, path] of [
      ["POST", "/applications"],
      ["PUT", `/applications/${id}`],
      ["DELETE", `/applications/${id}`],
      ["POST", `/applications/${id}/regenerate-key`],
    ] as const) {
      for (const cookie of [undefined, "dashboard_session=forged", "dashboard_session="]) {
        const res = await send(method, path, { ...valid, name: "Intruder" }, { cookie });
        expect(res.status).toBe(401);
        const body = await res.text();
        expect(body).toContain("Log in as an operator");
        expect(body).not.toContain("key-shown-once");
        expect(body).not.toContain("second-key");
      }
    }
    expect(JSON.stringify([...registry.apps])).toBe(before);
  });

  test("the edit form (it shows the contact e-mail) is for operators only; anonymous readers see no buttons", async () => {
    const { registry, send } = setup();
    await send("POST", "/applications", valid);
    const [id] = [...registry.apps.keys()];
    const anonymous = await send("GET", `/applications/${id}/edit`, undefined, {});
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("ops@example.com");
    const page = await (await send("GET", "/applications", undefined, {})).text();
    expect(page).not.toContain("hx-post");
    expect(page).not.toContain("hx-delete");
    expect(page).toContain("Log in as an operator</a> to register or change applications");
    expect(await (await send("GET", `/applications/${id}/edit`)).text()).toContain("ops@example.com");
  });
});

describe("hostile input", () => {
  test("ids that are not the registry's shape never reach it: 404", async () => {
    const { registry, send } = setup();
    let calls = 0;
    const counted =
      (f: (...a: never[]) => unknown) =>
      (...a: never[]) => (calls++, f(...a));
    registry.getApplication = counted(registry.getApplication) as typeof registry.getApplication;
    registry.update = counted(registry.update) as typeof registry.update;
    registry.remove = counted(registry.remove) as typeof registry.remove;
    registry.regenerateKey = counted(registry.regenerateKey) as typeof registry.regenerateKey;
    for (const id of [
      "..%2F..%2Fapi%2Fdevice-types",
      "__proto__",
      "constructor",
      "x%00y",
      "%2e%2e",
      "1",
      "91dd8f4d-350c-42a2-8c07-cc0e7ac7ad98%3Fstatus=active",
    ]) {
      for (const [method, path] of [
        ["GET", `/applications/${id}/edit`],
        ["PUT", `/applications/${id}`],
        ["DELETE", `/applications/${id}`],
        ["POST", `/applications/${id}/regenerate-key`],
      ] as const) {
        const res = await send(method, path, method === "PUT" ? valid : undefined);
        expect([404, 405]).toContain(res.status);
      }
    }
    expect(calls).toBe(0);
  });

  test("malformed, mistyped and oversize bodies are 4xx with a message, never a 500", async () => {
    const { registry, raw } = setup();
    const cases: Array<[RequestInit, number]> = [
      [{ headers: { "content-type": "application/json" }, body: "{not json" }, 415],
      [{ headers: { "content-type": "application/json" }, body: JSON.stringify(valid) }, 415],
      [{ headers: { "content-type": "multipart/form-data; boundary=x" }, body: "--x\r\nbroken" }, 415],
      [{ headers: {}, body: "name=x" }, 415],
      [{ headers: { "content-type": "application/x-www-form-urlencoded" }, body: "%E0%A4%A=%zz&&=&name" }, 422],
      [
        { headers: { "content-type": "application/x-www-form-urlencoded" }, body: `name=${"x".repeat(BODY_LIMIT)}` },
        413,
      ],
      [
        {
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new ReadableStream({
            start(c) {
              c.enqueue(new TextEncoder().encode("a".repeat(BODY_LIMIT + 1)));
              c.close();
            },
          }),
        },
        413,
      ],
    ];
    for (const [init, status] of cases) {
      const res = await raw("POST", "/applications", init);
      expect(res.status).toBe(status);
      expect(await res.text()).toContain(`class="error"`);
    }
    expect(registry.apps.size).toBe(0);
  });
});
