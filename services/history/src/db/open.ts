import { openPgStore } from "./pg-store";
import { openSqliteStore } from "./sqlite-store";
import type { HistoryStore } from "./store";

/** PostgreSQL when a `postgres://` URL is given, else the SQLite file; migrations applied either way. */
export async function openStore(db: { databaseUrl?: string; sqlitePath: string }): Promise<HistoryStore> {
  return db.databaseUrl ? openPgStore(db.databaseUrl) : openSqliteStore(db.sqlitePath);
}
