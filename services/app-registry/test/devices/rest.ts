/** Devices through REST against a real server; run once per database (devices-rest-*.test.ts). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type { Dialect } from "../support/databases";
import type { TestRegistry } from "../support/registry";
import { startTestRegistry } from "../support/registry";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function deviceRestSuite(dialect: Dialect) {
  describe(`devices over REST on ${dialect}`, () => {
    let reg: TestRegistry;
    // Generous limits: this machine is shared, and these tests measure behaviour, not time (see bench/device-import.ts).
    beforeAll(async () => {
      reg = await startTestRegistry(dialect);
    }, 30_000);
    afterAll(() => reg?.close());

    const call = async (method: string, path: string, body?: unknown, type = "application/json") => {
      const init: RequestInit = {
        method,
        headers: body === undefined && method === "GET" ? {} : { "content-type": type },
      };
      if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
      const res = await fetch(reg.httpUrl + path, init);
      return { status: res.status, body: (await res.json()) as any };
    };
    const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
    const create = async (fields: Record<string, unknown>) => {
      const res = await call("POST", "/api/devices", { device_type: "smart_meter", ...fields });
      expect(res.status).toBe(201);
      return res.body as { device: Record<string, any>; token: string };
    };

    test("POST /api/devices → 201 with the token once; only its SHA-256 is stored; reads never show either", async () => {
      const id = unique("breaker");
      const res = await call("POST", "/api/devices", {
        device_id: id,
        device_type: "smart_breaker",
        name: " Panel 3 ",
        labels: { site: "north", floor: "2" },
      });
      expect(res.status).toBe(201);
      expect(res.body.device).toMatchObject({
        device_id: id,
        device_type: "smart_breaker",
        name: "Panel 3",
        labels: { site: "north", floor: "2" },
        status: "enabled",
      });
      expect(res.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const [row] = await reg.db.query(`select * from devices where device_id = '${id}'`);
      expect(row!.token_sha256).toBe(sha256(res.body.token));
      expect(JSON.stringify(row)).not.toContain(res.body.token);
      const got = await call("GET", `/api/devices/${id}`);
      expect(got.status).toBe(200);
      expect(got.body.device).toEqual(res.body.device);
      expect(JSON.stringify(got.body)).not.toMatch(/token/i);
    });

    test("bad input: invalid id, unknown type, oversize labels, duplicate id → 4xx naming the field; nothing written", async () => {
      const bad = await call("POST", "/api/devices", {
        device_id: "has space",
        device_type: "smart_meter",
        labels: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, "v"])),
      });
      expect(bad.status).toBe(400);
      expect(bad.body.details.device_id[0]).toStartWith("Not a valid device id");
      expect(bad.body.details.labels).toEqual(["At most 32 labels."]);
      const long = await call("POST", "/api/devices", {
        device_id: unique("x"),
        device_type: "smart_meter",
        labels: { note: "v".repeat(257) },
      });
      expect(long.body.details.labels).toEqual(["Label note: longer than maximum length 256."]);
      const tooLongId = await call("POST", "/api/devices", { device_id: "a".repeat(129), device_type: "smart_meter" });
      expect(Object.keys(tooLongId.body.details)).toEqual(["device_id"]);
      const unknownType = await call("POST", "/api/devices", { device_id: unique("x"), device_type: "toaster" });
      expect(unknownType.status).toBe(400);
      expect(unknownType.body.details).toEqual({
        device_type: ["Unknown device type toaster: not in the device registry."],
      });
      const extra = await call("POST", "/api/devices", {
        device_id: unique("x"),
        device_type: "smart_meter",
        token: "mine",
      });
      expect(extra.body.details).toEqual({ token: ["Unknown field."] });
      const { device } = await create({ device_id: unique("dup"), name: "first" });
      const dup = await call("POST", "/api/devices", {
        device_id: device.device_id,
        device_type: "smart_breaker",
        name: "second",
      });
      expect(dup).toEqual({
        status: 409,
        body: { error: `Device ${device.device_id} already exists`, code: "DUPLICATE_DEVICE" },
      });
      expect((await call("GET", `/api/devices/${device.device_id}`)).body.device.name).toBe("first");
      const missing = await call("POST", "/api/devices", {});
      expect(Object.keys(missing.body.details).sort()).toEqual(["device_id", "device_type"]);
      expect((await call("POST", "/api/devices", "device_id=x", "application/x-www-form-urlencoded")).status).toBe(415);
    });

    test("PATCH changes only what it names; labels replace; unknown type and empty patch", async () => {
      const { device } = await create({ device_id: unique("patch"), name: "n", labels: { a: "1" } });
      const path = `/api/devices/${device.device_id}`;
      const renamed = await call("PATCH", path, { name: "renamed" });
      expect(renamed.status).toBe(200);
      expect(renamed.body.device).toMatchObject({
        name: "renamed",
        labels: { a: "1" },
        status: "enabled",
        created_at: device.created_at,
      });
      expect(Date.parse(renamed.body.device.updated_at)).toBeGreaterThanOrEqual(Date.parse(device.updated_at));
      expect((await call("PATCH", path, { labels: { b: "2" }, status: "disabled" })).body.device).toMatchObject({
        labels: { b: "2" },
        status: "disabled",
      });
      expect((await call("PATCH", path, { device_type: "toaster" })).status).toBe(400);
      expect((await call("PATCH", path, { status: "off", name: null })).body.details).toEqual({
        status: ["Must be one of: enabled, disabled."],
        name: ["Not a valid string."],
      });
      expect((await call("PATCH", path, {})).body.device.name).toBe("renamed");
      expect((await call("PATCH", "/api/devices/nope-nope", { name: "x" })).status).toBe(404);
    });

    test("regenerate-token: a new token, shown once; delete; 404 after", async () => {
      const { device, token } = await create({ device_id: unique("regen") });
      const path = `/api/devices/${device.device_id}`;
      const regen = await call("POST", `${path}/regenerate-token`);
      expect(regen.status).toBe(200);
      expect(regen.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(regen.body.token).not.toBe(token);
      const [row] = await reg.db.query(`select token_sha256 from devices where device_id = '${device.device_id}'`);
      expect(row!.token_sha256).toBe(sha256(regen.body.token));
      expect(await call("DELETE", path)).toEqual({ status: 200, body: { message: "Device deleted" } });
      expect((await call("GET", path)).status).toBe(404);
      expect((await call("DELETE", path)).status).toBe(404);
      expect((await call("POST", `${path}/regenerate-token`)).status).toBe(404);
      expect((await call("GET", "/api/devices/bad%20id")).status).toBe(400);
      expect((await call("PUT", path, {})).status).toBe(405);
      expect((await call("GET", `${path}/regenerate-token`)).status).toBe(405);
      expect((await call("DELETE", "/api/devices")).status).toBe(405);
    });

    test("list: filters by type, status, labels (all must match) and search; stable pages with a total", async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      for (let i = 0; i < 5; i++)
        await create({
          device_id: `list-${tag}-${i}`,
          device_type: i % 2 ? "smart_breaker" : "smart_meter",
          name: i === 3 ? `Roof ${tag.toUpperCase()}` : "",
          labels: { batch: tag, ...(i < 3 ? { zone: "a:1" } : {}) },
          status: i === 4 ? "disabled" : "enabled",
        });
      const ids = async (query: string) =>
        (await call("GET", `/api/devices?label=batch:${tag}&${query}`)).body.devices.map(
          (d: { device_id: string }) => d.device_id,
        );
      expect(await ids("")).toEqual([0, 1, 2, 3, 4].map((i) => `list-${tag}-${i}`));
      expect(await ids("device_type=smart_breaker")).toEqual([`list-${tag}-1`, `list-${tag}-3`]);
      expect(await ids("status=disabled")).toEqual([`list-${tag}-4`]);
      expect(await ids("label=zone:a:1")).toEqual([0, 1, 2].map((i) => `list-${tag}-${i}`));
      expect(await ids(`search=roof%20${tag}`)).toEqual([`list-${tag}-3`]);
      expect(await ids(`search=LIST-${tag}-2`)).toEqual([`list-${tag}-2`]);
      expect(await ids("search=%25")).toEqual([]);
      const page = await call("GET", `/api/devices?label=batch:${tag}&limit=2&offset=2`);
      expect(page.body).toMatchObject({ count: 2, total: 5 });
      expect(page.body.devices.map((d: { device_id: string }) => d.device_id)).toEqual([
        `list-${tag}-2`,
        `list-${tag}-3`,
      ]);
      const bad = await call("GET", "/api/devices?status=on&label=nocolon&limit=0&device_type=Bad");
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.details).sort()).toEqual(["device_type", "label", "limit", "status"]);
    });

    test("bulk JSON: created (tokens once) / unchanged / error per row; the same file again is all unchanged", async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      const rows = [
        { device_id: `bulk-${tag}-0`, device_type: "smart_meter", labels: { a: "1" } },
        { device_id: `bulk-${tag}-1`, device_type: "toaster" },
        { device_id: "bad id", device_type: "smart_meter" },
        { device_id: `bulk-${tag}-2`, device_type: "smart_breaker", name: "B" },
        { device_id: `bulk-${tag}-0`, device_type: "smart_meter", labels: { a: "1" } },
        { device_id: `bulk-${tag}-2`, device_type: "smart_meter" },
      ];
      const first = await call("POST", "/api/devices/bulk", rows);
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ created: 2, unchanged: 1, error: 3 });
      const r = first.body.results;
      expect(r.map((x: { outcome: string }) => x.outcome)).toEqual([
        "created",
        "error",
        "error",
        "created",
        "unchanged",
        "error",
      ]);
      expect(r[0].token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(r[1]).toEqual({
        index: 1,
        device_id: `bulk-${tag}-1`,
        outcome: "error",
        error: "device_type: Unknown device type toaster: not in the device registry.",
      });
      expect(r[2].error).toStartWith("device_id: Not a valid device id");
      expect(r[5].error).toBe("device_id: repeated in this import with different fields.");
      const again = await call(
        "POST",
        "/api/devices/bulk",
        rows.filter((_, i) => [0, 3].includes(i)),
      );
      expect(again.body).toMatchObject({ created: 0, unchanged: 2, error: 0 });
      expect(JSON.stringify(again.body)).not.toContain("token");
      const changed = await call("POST", "/api/devices/bulk", [{ ...rows[0], name: "other" }]);
      expect(changed.body.results[0]).toMatchObject({
        outcome: "error",
        error: `device_id: Device bulk-${tag}-0 already exists with different fields.`,
      });
      expect((await call("GET", `/api/devices/bulk-${tag}-0`)).body.device.name).toBe("");
      expect((await call("POST", "/api/devices/bulk", { devices: [] })).status).toBe(400);
    });

    test("bulk CSV: a broken row fails alone, the others land; labels k=v;k=v; re-import unchanged", async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      const csv = [
        "device_id,device_type,name,labels,status",
        `csv-${tag}-0,smart_meter,"Meter, north",site=north;floor=2,`,
        `"csv-${tag}-1,smart_meter`,
        `csv-${tag}-2,smart_breaker,,,disabled`,
        `csv-${tag}-3,smart_meter,x,oops,`,
        `csv-${tag}-4,smart_meter,x`,
        "",
      ].join("\r\n");
      const res = await call("POST", "/api/devices/bulk", csv, "text/csv");
      expect(res.status).toBe(200);
      expect(res.body.results.map((x: { outcome: string }) => x.outcome)).toEqual([
        "created",
        "error",
        "created",
        "error",
        "error",
      ]);
      expect(res.body.results[1].error).toBe("line 3: broken quoting.");
      expect(res.body.results[3]).toMatchObject({
        device_id: `csv-${tag}-3`,
        error: 'line 5: labels: "oops" is not key=value.',
      });
      expect(res.body.results[4].error).toBe("line 6: 3 fields, the header has 5.");
      expect((await call("GET", `/api/devices/csv-${tag}-0`)).body.device).toMatchObject({
        name: "Meter, north",
        labels: { site: "north", floor: "2" },
        status: "enabled",
      });
      expect((await call("GET", `/api/devices/csv-${tag}-2`)).body.device).toMatchObject({
        status: "disabled",
        device_type: "smart_breaker",
      });
      const again = await call("POST", "/api/devices/bulk", csv, "text/csv; charset=utf-8");
      expect(again.body).toMatchObject({ created: 0, unchanged: 2, error: 3 });
      const header = await call("POST", "/api/devices/bulk", "id,type\nx,y\n", "text/csv");
      expect(header).toEqual({
        status: 400,
        body: {
          error: "Validation failed",
          details: {
            csv: [
              'Unknown column "id".',
              'Unknown column "type".',
              "Missing column device_id.",
              "Missing column device_type.",
            ],
          },
        },
      });
    });

    test("bulk of 10,001 rows → 413 naming the limit, nothing written; 10,000 is accepted", async () => {
      const tag = crypto.randomUUID().slice(0, 8);
      const lines = (n: number) =>
        ["device_id,device_type", ...Array.from({ length: n }, (_, i) => `big-${tag}-${i},smart_meter`)].join("\n");
      const over = await call("POST", "/api/devices/bulk", lines(10_001), "text/csv");
      expect(over).toEqual({ status: 413, body: { error: "At most 10000 devices per import", limit: 10_000 } });
      const json = await call(
        "POST",
        "/api/devices/bulk",
        Array.from({ length: 10_001 }, (_, i) => ({ device_id: `big-${tag}-${i}`, device_type: "smart_meter" })),
      );
      expect(json.status).toBe(413);
      expect((await call("GET", `/api/devices?search=big-${tag}`)).body.total).toBe(0);
      const ok = await call("POST", "/api/devices/bulk", lines(10_000), "text/csv");
      expect(ok.body).toMatchObject({ created: 10_000, error: 0 });
      expect((await call("GET", `/api/devices?search=big-${tag}`)).body.total).toBe(10_000);
    }, 60_000);

    test("the OpenAPI document describes every device route, from the same rules", async () => {
      const doc = (await (await fetch(`${reg.httpUrl}/openapi/json`)).json()) as any;
      for (const [path, methods] of Object.entries({
        "/api/devices": ["get", "post"],
        "/api/devices/{id}": ["get", "patch", "delete"],
        "/api/devices/{id}/regenerate-token": ["post"],
        "/api/devices/bulk": ["post"],
      }))
        expect(Object.keys(doc.paths[path]).sort()).toEqual(expect.arrayContaining(methods));
      const schema = doc.paths["/api/devices"].post.requestBody.content["application/json"].schema;
      expect(schema.required).toEqual(["device_id", "device_type"]);
      expect(schema.properties.device_id.pattern).toBe("^[A-Za-z0-9._:-]{1,128}$");
      expect(doc.paths["/api/devices/bulk"].post.requestBody.content).toHaveProperty("text/csv");
      expect(doc.paths["/api/devices"].get.parameters.map((p: { name: string }) => p.name)).toEqual([
        "device_type",
        "status",
        "label",
        "search",
        "limit",
        "offset",
      ]);
    });
  });
}
