/**
 * A PostgreSQL pool through postgres-js (drizzle's bun-sql driver, 0.45, stores jsonb as a JSON
 * string, so `@>` finds nothing), migrated on open under an advisory lock, so replicas starting
 * together migrate one at a time. A failed migration closes the pool before it rethrows. JIT is
 * off for the pool: the services' statements are short, and a plan whose estimate crosses
 * jit_above_cost would spend hundreds of ms compiling (measured on history's 30-day read).
 */
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";

export interface MigrateOptions {
  /** The service's `migrations/pg` folder. */
  migrationsFolder: string;
  /** The service's own migrations table, so services sharing a database do not collide. */
  migrationsTable: string;
  /** Any fixed number per service: the advisory lock held while migrating. */
  lockId: number;
}

export async function openMigratedPostgres(url: string, o: MigrateOptions) {
  const client = postgres(url, {
    max: 10,
    connect_timeout: 10,
    onnotice: () => {},
    connection: { jit: "off" },
  });
  const db = drizzle({ client });
  try {
    const lock = await client.reserve();
    try {
      await lock`select pg_advisory_lock(${o.lockId})`;
      await migrate(db, { migrationsFolder: o.migrationsFolder, migrationsTable: o.migrationsTable });
    } finally {
      await lock`select pg_advisory_unlock(${o.lockId})`;
      lock.release();
    }
  } catch (e) {
    await client.end({ timeout: 1 });
    throw e;
  }
  return { client, db };
}
