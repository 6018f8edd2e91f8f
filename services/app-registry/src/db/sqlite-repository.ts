import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { count, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
import { DuplicateNameError } from "../errors";
import type { ApplicationRepository } from "./repository";
import type { ApplicationRow } from "./rows";
import {
  chunks,
  groupDeviceTypes,
  isNameConflict,
  linkRows,
  MIGRATIONS_TABLE,
  stableOrder,
  toApplication,
  whereOf,
} from "./rows";
import { applicationDeviceTypes as links, applications as apps } from "./sqlite-schema";

/**
 * SQLite through bun:sqlite, migrated on open. bun:sqlite is synchronous and this is one
 * connection, so each transaction runs start to finish without interleaving other requests.
 */
export function openSqliteRepository(path: string): ApplicationRepository {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const client = new Database(path, { create: true, strict: true });
  client.exec("PRAGMA journal_mode = WAL");
  client.exec("PRAGMA busy_timeout = 5000");
  client.exec("PRAGMA foreign_keys = ON");
  const db = drizzle({ client });
  migrate(db, { migrationsFolder: `${import.meta.dir}/migrations/sqlite`, migrationsTable: MIGRATIONS_TABLE });

  const hydrate = (rows: ApplicationRow[]) => {
    const types = groupDeviceTypes(
      chunks(rows.map((r) => r.id)).flatMap((ids) =>
        db
          .select({ applicationId: links.applicationId, deviceType: links.deviceType })
          .from(links)
          .where(inArray(links.applicationId, ids))
          .orderBy(links.applicationId, links.position)
          .all(),
      ),
    );
    return rows.map((r) => toApplication(r, types.get(r.id) ?? []));
  };
  const read = (id: string) => {
    const row = db.select().from(apps).where(eq(apps.id, id)).get();
    return row && hydrate([row])[0];
  };
  const unique = <T>(write: () => T): T => {
    try {
      return write();
    } catch (e) {
      throw isNameConflict(e) ? new DuplicateNameError() : e;
    }
  };

  return {
    async insert({ deviceTypes, ...given }) {
      const row = {
        ...given,
        webhookUrl: given.webhookUrl ?? null,
        webhookEventTypes: given.webhookEventTypes ?? [],
        webhookSecret: given.webhookSecret ?? null,
      };
      unique(() =>
        db.transaction(() => {
          db.insert(apps).values(row).run();
          if (deviceTypes.length > 0) db.insert(links).values(linkRows(row.id, deviceTypes)).run();
        }),
      );
      return toApplication(row, deviceTypes);
    },
    get: async (id) => read(id),
    async find(filter, page) {
      const query = db
        .select()
        .from(apps)
        .where(whereOf(apps, links, filter))
        .orderBy(...stableOrder(apps))
        .$dynamic();
      return hydrate(page ? query.limit(page.limit).offset(page.offset).all() : query.all());
    },
    count: async (filter) =>
      db
        .select({ n: count() })
        .from(apps)
        .where(whereOf(apps, links, filter))
        .get()?.n ?? 0,
    async update(id, { deviceTypes, ...columns }) {
      return unique(() =>
        db.transaction(() => {
          const before = read(id);
          if (!before) return undefined;
          db.update(apps).set(columns).where(eq(apps.id, id)).run();
          if (deviceTypes) {
            db.delete(links).where(eq(links.applicationId, id)).run();
            if (deviceTypes.length > 0) db.insert(links).values(linkRows(id, deviceTypes)).run();
          }
          return { before, after: read(id)! };
        }),
      );
    },
    async delete(id) {
      return db.transaction(() => {
        const app = read(id);
        if (app) db.delete(apps).where(eq(apps.id, id)).run(); // links go by ON DELETE CASCADE
        return app;
      });
    },
    setApiKeyHash: async (id, hash) =>
      db.update(apps).set({ apiKeyHash: hash }).where(eq(apps.id, id)).returning({ id: apps.id }).all().length > 0,
    setWebhookSecret: async (id, secret) =>
      db.update(apps).set({ webhookSecret: secret }).where(eq(apps.id, id)).returning({ id: apps.id }).all().length > 0,
    credentials: async (id) =>
      db
        .select({ apiKeyHash: apps.apiKeyHash, webhookSecret: apps.webhookSecret })
        .from(apps)
        .where(eq(apps.id, id))
        .get() ?? undefined,
    async ping() {
      db.run(sql`select 1`);
    },
    async close() {
      client.close();
    },
  };
}
