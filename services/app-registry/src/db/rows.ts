/** What both repositories share: filters, order, row mapping, conflict detection. */
import type { Column, SQL, Table } from "drizzle-orm";
import { and, asc, eq, inArray, sql } from "drizzle-orm";
import type { Application } from "../application";
import type { applications } from "./sqlite-schema";
import type { ApplicationFilter } from "./repository";

/** Our own bookkeeping table, so another service's drizzle migrations in the same database never collide. */
export const MIGRATIONS_TABLE = "__app_registry_migrations";

/** Identical in both dialects (checked in test/database.test.ts). */
export type ApplicationRow = typeof applications.$inferSelect;

interface AppColumns {
  id: Column;
  status: Column;
  platform: Column;
  category: Column;
  createdAt: Column;
}
type LinkTable = Table & { applicationId: Column; deviceType: Column };

export function whereOf(apps: AppColumns, links: LinkTable, filter: ApplicationFilter): SQL | undefined {
  const { status, platform, category, deviceTypes } = filter;
  return and(
    status === undefined ? undefined : eq(apps.status, status),
    platform === undefined ? undefined : eq(apps.platform, platform),
    category === undefined ? undefined : eq(apps.category, category),
    // Exact element match through the indexed join table: no LIKE, so `%`, `_` and substrings match nothing.
    deviceTypes === undefined
      ? undefined
      : sql`${apps.id} in (select ${links.applicationId} from ${links} where ${inArray(links.deviceType, deviceTypes)})`,
  );
}

export const stableOrder = (apps: AppColumns) => [asc(apps.createdAt), asc(apps.id)];

export function toApplication(row: ApplicationRow, deviceTypes: string[]): Application {
  const { nameKey: _key, apiKeyHash: _hash, webhookSecret: _secret, ...app } = row;
  return { ...app, webhookEventTypes: app.webhookEventTypes ?? [], deviceTypes };
}

/** Rows ordered by position → device types per application id. */
export function groupDeviceTypes(rows: { applicationId: string; deviceType: string }[]): Map<string, string[]> {
  const byApp = new Map<string, string[]>();
  for (const { applicationId, deviceType } of rows) {
    const list = byApp.get(applicationId);
    if (list) list.push(deviceType);
    else byApp.set(applicationId, [deviceType]);
  }
  return byApp;
}

export const linkRows = (applicationId: string, deviceTypes: string[]) =>
  deviceTypes.map((deviceType, position) => ({ applicationId, deviceType, position }));

/** Keeps `IN (…)` lists well under both databases' bound-parameter limits. */
export function chunks<T>(items: T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The unique index on name_key was violated (SQLite or PostgreSQL, possibly wrapped by drizzle). */
export function isNameConflict(e: unknown): boolean {
  for (let cur: unknown = e; cur instanceof Error; cur = cur.cause) {
    const { code, constraint_name } = cur as { code?: unknown; constraint_name?: unknown };
    if (code === "23505" && constraint_name === "applications_name_key_unique") return true;
    if (code === "SQLITE_CONSTRAINT_UNIQUE" && cur.message.includes("applications.name_key")) return true;
  }
  return false;
}
