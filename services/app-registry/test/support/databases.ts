/** Each test file gets its own database: a temp SQLite file, or a freshly created PostgreSQL database. */
import { Database } from "bun:sqlite";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";

export type Dialect = "sqlite" | "postgres";

export interface TestDatabase {
  /** What createAppRegistry's config takes. */
  config: { databaseUrl?: string; sqlitePath: string };
  /** Raw SQL, to look at what is stored. */
  query(text: string): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export function sqliteDatabase(): TestDatabase {
  const dir = mkdtempSync(join(tmpdir(), "app-registry-"));
  const sqlitePath = join(dir, "registry.db");
  return {
    config: { sqlitePath },
    async query(text) {
      const db = new Database(sqlitePath, { readonly: true });
      try {
        return db.query(text).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a uniquely named database; fails (never skips) when PostgreSQL cannot be reached. */
export async function postgresDatabase(): Promise<TestDatabase> {
  const admin = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  const name = `app_registry_test_${randomUUID().replaceAll("-", "")}`;
  try {
    await admin.unsafe(`create database "${name}"`);
  } catch (e) {
    await admin.end({ timeout: 1 });
    throw new Error(
      `PostgreSQL at ${TEST_DATABASE_URL} is required for these tests: ${e instanceof Error ? e.message : e}`,
    );
  }
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  const client = postgres(url.toString(), { max: 1, onnotice: () => {} });
  return {
    config: { databaseUrl: url.toString(), sqlitePath: "unused-with-postgres.db" },
    query: (text) => client.unsafe(text) as Promise<Record<string, unknown>[]>,
    async drop() {
      await client.end({ timeout: 1 });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 1 });
    },
  };
}

export const openTestDatabase = (dialect: Dialect) => (dialect === "postgres" ? postgresDatabase() : sqliteDatabase());
