/**
 * The services' PostgreSQL pool against the real server: migrated on open (history's migrations,
 * on a fresh database) and every connection without JIT, which would otherwise compile plans
 * whose estimate crosses jit_above_cost for hundreds of ms.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { join } from "node:path";
import { postgresDatabase, type TestDatabase } from "../../app-registry/test/support/databases";
import { openMigratedPostgres } from "../src/postgres";

let database: TestDatabase;
let pool: Awaited<ReturnType<typeof openMigratedPostgres>>;
beforeAll(async () => {
  database = await postgresDatabase();
  pool = await openMigratedPostgres(database.config.databaseUrl!, {
    migrationsFolder: join(import.meta.dir, "../../history/src/db/migrations/pg"),
    migrationsTable: "pool_test_migrations",
    lockId: 4_242,
  });
});
afterAll(async () => {
  await pool?.client.end({ timeout: 1 });
  await database?.drop();
});

test("the pool's connections run migrated and without JIT", async () => {
  const sessions = await Promise.all([1, 2, 3].map(() => pool.client`show jit`));
  expect(sessions.map((rows) => rows[0]?.jit)).toEqual(["off", "off", "off"]);
  const [applied] = await pool.client`select count(*)::int as n from drizzle.pool_test_migrations`;
  expect(applied?.n).toBeGreaterThan(0);
});
