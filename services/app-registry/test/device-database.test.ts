/** The device tables: one row type in both dialects, and the list query answered from an index. */
import { expect, test } from "bun:test";
import { getTableColumns } from "drizzle-orm";
import * as pg from "../src/db/pg-device-schema";
import * as sqlite from "../src/db/sqlite-device-schema";
import { startTestRegistry } from "./support/registry";

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

test("the SQLite and PostgreSQL device schemas infer identical row types and columns", () => {
  // Compile-time: `bunx tsc` fails if the dialects' inferred types drift apart.
  const rows: Same<typeof sqlite.devices.$inferSelect, typeof pg.devices.$inferSelect> = true;
  const inserts: Same<typeof sqlite.devices.$inferInsert, typeof pg.devices.$inferInsert> = true;
  expect([rows, inserts]).toEqual([true, true]);
  const columns = (t: Parameters<typeof getTableColumns>[0]) =>
    Object.values(getTableColumns(t)).map((c) => [c.name, c.notNull]);
  expect(columns(sqlite.devices)).toEqual(columns(pg.devices));
});

test("SQLite pages through devices in creation order straight from an index, without sorting", async () => {
  const reg = await startTestRegistry("sqlite");
  try {
    const plan = await reg.db.query(
      "explain query plan select * from devices order by created_at, device_id limit 100 offset 100",
    );
    const steps = plan.map((r) => String(r.detail));
    expect(steps.join("\n")).toContain("USING INDEX devices_created_at_id");
    expect(steps.join("\n")).not.toContain("TEMP B-TREE");
  } finally {
    await reg.close();
  }
});
