/** Registration, update, delete and api keys through REST. */
import { expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { registration } from "../support/registry";
import type { RestContext } from "./context";

export function writeTests(ctx: RestContext) {
  const { call, register } = ctx;

  test("POST /api/applications → 201 with the api key, shown once and stored as its SHA-256", async () => {
    const res = await call(
      "POST",
      "/api/applications",
      registration({ name: "Grid Watch", devicetypes: ["smart_meter", "smart_breaker", "smart_meter"] }),
    );
    expect(res.status).toBe(201);
    expect(res.body.message).toBe("Application registered successfully");
    const app = res.body.application;
    expect(app).toMatchObject({
      name: "Grid Watch",
      status: "active",
      devicetypes: ["smart_meter", "smart_breaker"],
      platform: "web",
    });
    expect(app.api_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const [row] = await ctx.reg().db.query(`select * from applications where id = '${app.id}'`);
    expect(row!.api_key_hash).toBe(createHash("sha256").update(app.api_key).digest("hex"));
    expect(JSON.stringify(row)).not.toContain(app.api_key);
  });

  test("optional fields may be left out or null", async () => {
    const res = await call("POST", "/api/applications", {
      name: "Minimal",
      version: "1",
      developer: "d",
      contact_email: "a@b.co",
      platform: null,
    });
    expect(res.status).toBe(201);
    expect(res.body.application).toMatchObject({ description: null, category: null, platform: null, devicetypes: [] });
  });

  test("validation failures → 400 with details per field, as the seed", async () => {
    const missing = await call("POST", "/api/applications", {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toBe("Validation failed");
    expect(Object.keys(missing.body.details).sort()).toEqual(["contact_email", "developer", "name", "version"]);
    const bad = await call(
      "POST",
      "/api/applications",
      registration({
        name: "x".repeat(101),
        version: "v".repeat(21),
        developer: "",
        contact_email: "not-an-email",
        category: "c".repeat(51),
        platform: "web|mobile|desktop|api",
        devicetypes: ["Smart_Breaker", "smart%"],
        status: "active",
        api_key: "mine",
      }),
    );
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.details).sort()).toEqual(
      [
        "api_key",
        "category",
        "contact_email",
        "developer",
        "devicetypes",
        "name",
        "platform",
        "status",
        "version",
      ].sort(),
    );
    expect(bad.body.details.status).toEqual(["Unknown field."]);
    const tooMany = await call(
      "POST",
      "/api/applications",
      registration({ devicetypes: Array.from({ length: 51 }, (_, i) => `type_${i}`) }),
    );
    expect(tooMany.body.details.devicetypes).toEqual(["At most 50 device types."]);
    expect((await call("POST", "/api/applications", [registration()])).status).toBe(400);
    expect(
      (await call("POST", "/api/applications", registration({ devicetypes: "smart_breaker" }))).body.details
        .devicetypes,
    ).toEqual(["Not a valid list."]);
  });

  test("a name already taken, in any case → 409 DUPLICATE_NAME", async () => {
    await register({ name: "Breaker Insights" });
    for (const name of ["Breaker Insights", "BREAKER insights", "  breaker insights "]) {
      const res = await call("POST", "/api/applications", registration({ name }));
      expect(res).toMatchObject({
        status: 409,
        body: { error: "Application with this name already exists", code: "DUPLICATE_NAME" },
      });
    }
  });

  test("regression: 50 parallel registrations of one name → exactly one 201, the rest 409", async () => {
    const body = registration({ name: `Race ${crypto.randomUUID()}` });
    const statuses = await Promise.all(
      Array.from({ length: 50 }, () => call("POST", "/api/applications", body).then((r) => r.status)),
    );
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    const [{ n }] = (await ctx
      .reg()
      .db.query(`select count(*) as n from applications where name = '${body.name}'`)) as [{ n: unknown }];
    expect(Number(n)).toBe(1);
  });

  test("regression: PUT keeps every field it does not name (the seed wiped devicetypes)", async () => {
    const app = await register({ devicetypes: ["smart_breaker", "smart_meter"], category: "keep" });
    const res = await call("PUT", `/api/applications/${app.id}`, { version: "2.0.0" });
    expect(res.status).toBe(200);
    expect(res.body.message).toBe("Application updated successfully");
    const { updated_at, version, ...kept } = res.body.application;
    const { updated_at: _u, version: _v, api_key: _k, webhook_secret: _s, ...before } = app;
    expect(version).toBe("2.0.0");
    expect(kept).toEqual(before);
    expect(Date.parse(updated_at)).toBeGreaterThanOrEqual(Date.parse(app.updated_at));
    const replaced = await call("PUT", `/api/applications/${app.id}`, {
      devicetypes: ["environmental_sensor"],
      description: null,
    });
    expect(replaced.body.application).toMatchObject({
      devicetypes: ["environmental_sensor"],
      description: null,
      category: "keep",
    });
    expect((await call("PUT", `/api/applications/${app.id}`, {})).body.application.version).toBe("2.0.0");
  });

  test("PUT errors: 404, 400, 409 for a taken name, a status outside the list", async () => {
    const a = await register({ name: "Rename Source" });
    await register({ name: "Rename Target" });
    expect((await call("PUT", "/api/applications/00000000-0000-0000-0000-000000000000", { version: "2" })).status).toBe(
      404,
    );
    expect((await call("PUT", `/api/applications/${a.id}`, { name: null })).body.details.name).toEqual([
      "Field may not be null.",
    ]);
    expect((await call("PUT", `/api/applications/${a.id}`, { status: "deleted" })).status).toBe(400);
    expect((await call("PUT", `/api/applications/${a.id}`, { name: "rename TARGET" })).body.code).toBe(
      "DUPLICATE_NAME",
    );
    expect((await call("PUT", `/api/applications/${a.id}`, { name: "RENAME SOURCE" })).body.application.name).toBe(
      "RENAME SOURCE",
    );
  });

  test("DELETE removes the application and its device-type links", async () => {
    const app = await register({ devicetypes: ["smart_meter"] });
    expect(await call("DELETE", `/api/applications/${app.id}`)).toMatchObject({
      status: 200,
      body: { message: "Application deleted successfully" },
    });
    expect((await call("GET", `/api/applications/${app.id}`)).status).toBe(404);
    expect((await call("DELETE", `/api/applications/${app.id}`)).status).toBe(404);
    expect(
      await ctx.reg().db.query(`select * from application_device_types where application_id = '${app.id}'`),
    ).toEqual([]);
  });

  test("regenerate-key returns a new key once and replaces the stored hash", async () => {
    const app = await register();
    const res = await call("POST", `/api/applications/${app.id}/regenerate-key`);
    expect(res.status).toBe(200);
    expect(res.body.message).toBe("API key regenerated successfully");
    expect(res.body.new_api_key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(res.body.new_api_key).not.toBe(app.api_key);
    const [row] = await ctx.reg().db.query(`select api_key_hash from applications where id = '${app.id}'`);
    expect(row!.api_key_hash).toBe(createHash("sha256").update(res.body.new_api_key).digest("hex"));
    expect((await call("POST", "/api/applications/00000000-0000-0000-0000-000000000000/regenerate-key")).status).toBe(
      404,
    );
  });

  test("regression: no read, and no log line, ever shows an api key", async () => {
    const app = await register({ devicetypes: ["smart_breaker"] });
    const reads = [
      await call("GET", "/api/applications?limit=1000"),
      await call("GET", `/api/applications/${app.id}`),
      await call("GET", "/api/applications/by-device-type/smart_breaker"),
      await call("POST", "/api/applications/by-device-types", { device_types: ["smart_breaker"] }),
      await call("PUT", `/api/applications/${app.id}`, { version: "9" }),
    ];
    for (const read of reads) {
      expect(read.status).toBe(200);
      expect(JSON.stringify(read.body)).not.toContain("api_key");
      expect(JSON.stringify(read.body)).not.toContain(app.api_key);
    }
    expect(ctx.reg().logs.join("\n")).not.toContain(app.api_key);
  });
}
