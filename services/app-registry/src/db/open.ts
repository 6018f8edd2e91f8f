import type { DeviceRepository } from "./device-repository";
import { openPgDeviceRepository } from "./pg-device-repository";
import { openSqliteDeviceRepository } from "./sqlite-device-repository";
import { openPgRepository } from "./pg-repository";
import type { ApplicationRepository } from "./repository";
import { openSqliteRepository } from "./sqlite-repository";

/** PostgreSQL when a `postgres://` URL is given, else the SQLite file; migrations applied either way. */
export async function openRepository(db: { databaseUrl?: string; sqlitePath: string }): Promise<ApplicationRepository> {
  return db.databaseUrl ? openPgRepository(db.databaseUrl) : openSqliteRepository(db.sqlitePath);
}

/** Opened after `openRepository`, which migrates the whole database (device tables included). */
export function openDeviceRepository(db: { databaseUrl?: string; sqlitePath: string }): DeviceRepository {
  return db.databaseUrl ? openPgDeviceRepository(db.databaseUrl) : openSqliteDeviceRepository(db.sqlitePath);
}
