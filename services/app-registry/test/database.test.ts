/** Both schemas, their committed migrations and the indexes the rules depend on, on real databases. */
import { afterAll, describe, expect, test } from "bun:test";
import { getTableColumns } from "drizzle-orm";
import * as pg from "../src/db/pg-schema";
import * as sqlite from "../src/db/sqlite-schema";
import { openRepository } from "../src/db/open";
import type { TestDatabase } from "./support/databases";
import { openTestDatabase } from "./support/databases";

// Every committed migration, once (both dialects have the same list).
const journal = (await Bun.file(`${import.meta.dir}/../src/db/migrations/sqlite/meta/_journal.json`).json()) as {
  entries: unknown[];
};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

test("the SQLite and PostgreSQL schemas infer identical row types and columns", () => {
  // Compile-time: `bunx tsc` fails if the dialects' inferred types drift apart.
  const apps: Same<typeof sqlite.applications.$inferSelect, typeof pg.applications.$inferSelect> = true;
  const newApps: Same<typeof sqlite.applications.$inferInsert, typeof pg.applications.$inferInsert> = true;
  const links: Same<typeof sqlite.applicationDeviceTypes.$inferSelect, typeof pg.applicationDeviceTypes.$inferSelect> =
    true;
  expect([apps, newApps, links]).toEqual([true, true, true]);
  const columns = (t: Parameters<typeof getTableColumns>[0]) =>
    Object.values(getTableColumns(t)).map((c) => [c.name, c.notNull]);
  expect(columns(sqlite.applications)).toEqual(columns(pg.applications));
  expect(columns(sqlite.applicationDeviceTypes)).toEqual(columns(pg.applicationDeviceTypes));
});

describe.each([["sqlite"], ["postgres"]] as const)("on %s", (dialect) => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  test("migrations apply at open, once: reopening keeps the data", async () => {
    db = await openTestDatabase(dialect);
    const first = await openRepository(db.config);
    const at = new Date();
    await first.insert({
      id: "a1",
      name: "Kept",
      nameKey: "kept",
      description: null,
      version: "1",
      developer: "d",
      contactEmail: "a@b.co",
      category: null,
      platform: null,
      deviceTypes: ["smart_meter"],
      status: "active",
      createdAt: at,
      updatedAt: at,
      apiKeyHash: "h",
    });
    await first.close();
    const second = await openRepository(db.config);
    expect((await second.get("a1"))?.deviceTypes).toEqual(["smart_meter"]);
    await second.close();
    const applied = await db.query(
      dialect === "postgres"
        ? 'select * from drizzle."__app_registry_migrations"'
        : "select * from __app_registry_migrations",
    );
    expect(applied).toHaveLength(journal.entries.length);
  });

  test("names are unique by a unique index on the lower-cased name; device types are looked up by index", async () => {
    const indexes =
      dialect === "postgres"
        ? await db.query("select indexname as name, indexdef as sql from pg_indexes where schemaname = 'public'")
        : await db.query("select name, sql from sqlite_master where type = 'index' and sql is not null");
    const def = (name: string) => String(indexes.find((i) => i.name === name)?.sql);
    expect(def("applications_name_key_unique")).toMatch(/CREATE UNIQUE INDEX .*name_key/);
    expect(def("application_device_types_device_type")).toMatch(/CREATE INDEX .*device_type/);
  });
});

test("SQLite answers a device-type lookup from the index, not a scan", async () => {
  const db = await openTestDatabase("sqlite");
  try {
    await (await openRepository(db.config)).close();
    const plan = await db.query(
      "explain query plan select application_id from application_device_types where device_type in ('smart_meter')",
    );
    expect(plan.map((p) => p.detail).join(" ")).toContain("USING COVERING INDEX application_device_types_device_type");
  } finally {
    await db.drop();
  }
});
