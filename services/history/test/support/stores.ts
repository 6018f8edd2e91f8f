/** A fresh store per test file on each dialect: a temp SQLite file, or a new PostgreSQL database. */
import { type Dialect, openTestDatabase, type TestDatabase } from "../../../app-registry/test/support/databases";
import { openStore } from "../../src/db/open";
import type { HistoryStore } from "../../src/db/store";

export const DIALECTS: Dialect[] = ["sqlite", "postgres"];

export async function openTestStore(
  dialect: Dialect,
): Promise<{ store: HistoryStore; database: TestDatabase; close(): Promise<void> }> {
  const database = await openTestDatabase(dialect);
  const store = await openStore(database.config);
  return {
    store,
    database,
    async close() {
      await store.close();
      await database.drop();
    },
  };
}
