import { openPgRepository } from "./pg-repository";
import type { ApplicationRepository } from "./repository";
import { openSqliteRepository } from "./sqlite-repository";

/** PostgreSQL when a `postgres://` URL is given, else the SQLite file; migrations applied either way. */
export async function openRepository(db: { databaseUrl?: string; sqlitePath: string }): Promise<ApplicationRepository> {
  return db.databaseUrl ? openPgRepository(db.databaseUrl) : openSqliteRepository(db.sqlitePath);
}
