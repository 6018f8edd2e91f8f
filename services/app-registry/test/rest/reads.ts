/** Lists, lookups and device-type queries through REST. */
import { expect, test } from "bun:test";
import type { RestContext } from "./context";

export function readTests(ctx: RestContext) {
  const { call, register, names } = ctx;

  test("GET /api/applications: exact filters, stable pages, count and total", async () => {
    const category = `cat_${crypto.randomUUID().slice(0, 8)}`;
    const made: string[] = [];
    for (let i = 0; i < 7; i++)
      made.push(
        (
          await register({
            category,
            platform: i % 2 ? "api" : "web",
            devicetypes: i < 3 ? ["environmental_sensor"] : [],
          })
        ).id,
      );
    await call("PUT", `/api/applications/${made[0]}`, { status: "inactive" });
    const all = await call("GET", `/api/applications?category=${category}`);
    expect(all.body).toMatchObject({ count: 7, total: 7 });
    expect(all.body.applications.map((a: { id: string }) => a.id)).toEqual(made);
    const pages = [];
    for (let offset = 0; offset < 7; offset += 3)
      pages.push(
        ...(await call("GET", `/api/applications?category=${category}&limit=3&offset=${offset}`)).body.applications,
      );
    expect(pages.map((a: { id: string }) => a.id)).toEqual(made);
    const page = await call("GET", `/api/applications?category=${category}&limit=3&offset=6`);
    expect(page.body).toMatchObject({ count: 1, total: 7 });
    expect((await call("GET", `/api/applications?category=${category}&platform=api`)).body.total).toBe(3);
    expect((await call("GET", `/api/applications?category=${category}&status=inactive`)).body.total).toBe(1);
    expect(
      (await call("GET", `/api/applications?category=${category}&device_type=environmental_sensor`)).body.total,
    ).toBe(3);
    expect((await call("GET", `/api/applications?category=${category.slice(0, -1)}`)).body.total).toBe(0);
    for (const bad of [
      "limit=0",
      "limit=1001",
      "limit=x",
      "offset=-1",
      "status=gone",
      "platform=tv",
      "device_type=%25",
    ]) {
      expect((await call("GET", `/api/applications?${bad}`)).status).toBe(400);
    }
  });

  test("the default page is 100 applications; at most 1000", async () => {
    const category = `bulk_${crypto.randomUUID().slice(0, 8)}`;
    const app = {
      description: null,
      version: "1",
      developer: "d",
      contactEmail: "a@b.co",
      category,
      platform: null,
      deviceTypes: [],
    };
    for (let i = 0; i < 101; i++) await ctx.reg().registry.register({ ...app, name: `Bulk ${i} ${category}` });
    expect((await call("GET", `/api/applications?category=${category}`)).body).toMatchObject({
      count: 100,
      total: 101,
    });
    expect((await call("GET", `/api/applications?category=${category}&limit=1000`)).body.count).toBe(101);
  });

  test("GET /api/applications/:id, and 404 for an unknown id", async () => {
    const app = await register();
    expect(await call("GET", `/api/applications/${app.id}`)).toMatchObject({
      status: 200,
      body: { application: { id: app.id, name: app.name } },
    });
    expect(await call("GET", "/api/applications/00000000-0000-0000-0000-000000000000")).toMatchObject({
      status: 404,
      body: { error: "Application not found" },
    });
    expect((await call("GET", "/api/applications/not-a-uuid")).status).toBe(404);
  });

  test("regression: by-device-type matches whole ids only (no substring, no % or _ wildcards), active only", async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    await register({ name: `Breaker ${tag}`, devicetypes: ["smart_breaker"] });
    await register({ name: `Meter ${tag}`, devicetypes: ["smart_meter"] });
    const inactive = await register({ name: `Off ${tag}`, devicetypes: ["smart_breaker"] });
    await call("PUT", `/api/applications/${inactive.id}`, { status: "inactive" });
    const exact = await call("GET", "/api/applications/by-device-type/smart_breaker");
    expect(exact.body.device_type).toBe("smart_breaker");
    expect(names(exact).filter((n) => n.endsWith(tag))).toEqual([`Breaker ${tag}`]);
    expect(exact.body.count).toBe(exact.body.applications.length);
    for (const pattern of ["smart", "breaker", "smart_breake_", "s_art_breaker", "smart_"]) {
      expect((await call("GET", `/api/applications/by-device-type/${pattern}`)).body.applications).toEqual([]);
    }
    for (const pattern of ["%25", "smart%25", "SMART_BREAKER", "_"]) {
      expect((await call("GET", `/api/applications/by-device-type/${pattern}`)).status).toBe(400);
    }
  });

  test("by-device-types: each active app once; 400 unless a non-empty list of ids", async () => {
    const tag = crypto.randomUUID().slice(0, 6);
    await register({ name: `Both ${tag}`, devicetypes: ["smart_breaker", "smart_meter"] });
    await register({ name: `Env ${tag}`, devicetypes: ["environmental_sensor"] });
    const res = await call("POST", "/api/applications/by-device-types", {
      device_types: ["smart_breaker", "smart_meter"],
    });
    expect(res.status).toBe(200);
    expect(res.body.device_types).toEqual(["smart_breaker", "smart_meter"]);
    expect(names(res).filter((n) => n.endsWith(tag))).toEqual([`Both ${tag}`]);
    expect(new Set(names(res)).size).toBe(res.body.count);
    for (const body of [
      {},
      { device_types: [] },
      { device_types: "smart_breaker" },
      { device_types: [1] },
      { device_types: ["%"] },
      [],
    ]) {
      const bad = await call("POST", "/api/applications/by-device-types", body);
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe("Validation failed");
    }
  });

  test("GET /api/device-types lists config/device-registry.json", async () => {
    const res = await call("GET", "/api/device-types");
    expect(res.body.count).toBe(3);
    expect(res.body.device_types.map((t: { id: string }) => t.id).sort()).toEqual([
      "environmental_sensor",
      "smart_breaker",
      "smart_meter",
    ]);
  });
}
