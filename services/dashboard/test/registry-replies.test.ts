/**
 * A registry (or a proxy in front of it) that answers nonsense: empty bodies, HTML, JSON of the wrong
 * shape. The dashboard says so (502 with a message) instead of failing with a 500.
 */
import { afterAll, expect, test } from "bun:test";
import { createRegistryClient, RegistryError } from "../src/registry/client";
import { cheapHash } from "./access";
import { htmxForm, startDashboard } from "./running";

let reply: () => Response = () => new Response("");
const broken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => reply() });
afterAll(() => broken.stop(true));
const client = createRegistryClient({ url: `http://127.0.0.1:${broken.port}`, token: "t", timeoutMs: 2_000 });
const ID = "0193a4b2-7c1d-7e2f-8a3b-4c5d6e7f8a9b";
const input = {
  name: "A",
  version: "1",
  developer: "D",
  contact_email: "a@example.com",
  description: null,
  category: null,
  platform: null,
  devicetypes: [],
};

const failure = (p: Promise<unknown>) =>
  p.then(
    () => "no error",
    (e: unknown) => (e instanceof RegistryError ? `${e.kind}: ${e.message}` : `other: ${String(e)}`),
  );

test("empty, non-JSON and wrongly shaped successes are RegistryErrors saying what came back", async () => {
  reply = () => new Response("", { status: 200 });
  expect(await failure(client.deviceTypes())).toBe("failed: App Registry answered 200 with an empty body");
  reply = () => new Response("<html>gateway</html>", { status: 200, headers: { "content-type": "text/html" } });
  expect(await failure(client.listApplications())).toBe(
    "failed: App Registry answered 200 with a body that is not JSON",
  );
  reply = () => Response.json([1, 2]);
  expect(await failure(client.getApplication(ID))).toStartWith(
    "failed: App Registry answered 200 with a body that is not JSON",
  );
  reply = () => Response.json({ applications: [{ id: 1 }], total: 1 });
  expect(await failure(client.listApplications())).toBe(
    "failed: App Registry answered with something that is not an application",
  );
  reply = () => Response.json({}, { status: 201 });
  expect(await failure(client.register(input))).toBe(
    "failed: App Registry answered with something that is not an application",
  );
  reply = () => Response.json({ application: { id: ID, name: "A", devicetypes: [] } }, { status: 201 });
  expect(await failure(client.register(input))).toBe("failed: App Registry answered without the new api key");
  reply = () => Response.json({ message: "ok" });
  expect(await failure(client.regenerateKey(ID))).toBe("failed: App Registry answered without the new api key");
  reply = () => new Response("", { status: 404 });
  expect(await client.remove(ID)).toMatchObject({ ok: false, status: 404 });
  reply = () => new Response("oops", { status: 500 });
  expect(await failure(client.deviceTypes())).toBe("failed: App Registry answered 500: Internal Server Error");
});

test("through the dashboard: a 502 with the reason, for pages and for an operator's writes", async () => {
  const d = await startDashboard({
    REGISTRY_URL: `http://127.0.0.1:${broken.port}`,
    DASHBOARD_OPERATORS: `alice:${await cheapHash("password1")}`,
  });
  try {
    reply = () => new Response("");
    const page = await d.fetch("/applications");
    expect(page.status).toBe(502);
    expect(await page.text()).toContain("App Registry answered 200 with an empty body");
    const login = await d.fetch("/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "username=alice&password=password1",
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    for (const r of [
      () => new Response(""),
      () => new Response("<html>"),
      () => Response.json({ device_types: [] }, { status: 200 }),
    ]) {
      reply = r;
      const res = await d.fetch(
        "/applications",
        htmxForm("POST", { name: "A", version: "1", developer: "D", contact_email: "a@example.com" }, { cookie }),
      );
      expect(res.status).toBe(502);
      expect(await res.text()).toContain(`<p class="error">App Registry answered`);
    }
  } finally {
    await d.stop();
  }
});
