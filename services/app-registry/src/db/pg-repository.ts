import { count, eq, inArray, sql } from "drizzle-orm";
import type { PgDatabase } from "drizzle-orm/pg-core";
import type { PostgresJsQueryResultHKT } from "drizzle-orm/postgres-js";
import { openMigratedPostgres } from "@iot/common/postgres";
import { DuplicateNameError } from "../errors";
import { applicationDeviceTypes as links, applications as apps } from "./pg-schema";
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

type Db = PgDatabase<PostgresJsQueryResultHKT>;

/** Any fixed number: held while migrating so replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 5_002_051;

/** Applications in PostgreSQL (common/postgres: postgres-js, migrated on open). */
export async function openPgRepository(url: string): Promise<ApplicationRepository> {
  const { client, db } = await openMigratedPostgres(url, {
    migrationsFolder: `${import.meta.dir}/migrations/pg`,
    migrationsTable: MIGRATIONS_TABLE,
    lockId: MIGRATION_LOCK,
  });

  const hydrate = async (q: Db, rows: ApplicationRow[]) => {
    const found = await Promise.all(
      chunks(rows.map((r) => r.id)).map((ids) =>
        q
          .select({ applicationId: links.applicationId, deviceType: links.deviceType })
          .from(links)
          .where(inArray(links.applicationId, ids))
          .orderBy(links.applicationId, links.position),
      ),
    );
    const types = groupDeviceTypes(found.flat());
    return rows.map((r) => toApplication(r, types.get(r.id) ?? []));
  };
  const read = async (q: Db, id: string, lock = false) => {
    const query = q.select().from(apps).where(eq(apps.id, id)).$dynamic();
    const [row] = await (lock ? query.for("update") : query);
    return row && (await hydrate(q, [row]))[0];
  };
  const unique = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
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
      await unique(() =>
        db.transaction(async (tx) => {
          await tx.insert(apps).values(row);
          if (deviceTypes.length > 0) await tx.insert(links).values(linkRows(row.id, deviceTypes));
        }),
      );
      return toApplication(row, deviceTypes);
    },
    get: (id) => read(db, id),
    async find(filter, page) {
      const query = db
        .select()
        .from(apps)
        .where(whereOf(apps, links, filter))
        .orderBy(...stableOrder(apps))
        .$dynamic();
      return hydrate(db, await (page ? query.limit(page.limit).offset(page.offset) : query));
    },
    async count(filter) {
      const [row] = await db
        .select({ n: count() })
        .from(apps)
        .where(whereOf(apps, links, filter));
      return row?.n ?? 0;
    },
    update: (id, { deviceTypes, ...columns }) =>
      unique(() =>
        db.transaction(async (tx) => {
          const before = await read(tx, id, true);
          if (!before) return undefined;
          await tx.update(apps).set(columns).where(eq(apps.id, id));
          if (deviceTypes) {
            await tx.delete(links).where(eq(links.applicationId, id));
            if (deviceTypes.length > 0) await tx.insert(links).values(linkRows(id, deviceTypes));
          }
          return { before, after: (await read(tx, id))! };
        }),
      ),
    delete: (id) =>
      db.transaction(async (tx) => {
        const app = await read(tx, id, true);
        if (app) await tx.delete(apps).where(eq(apps.id, id)); // links go by ON DELETE CASCADE
        return app;
      }),
    async setApiKeyHash(id, hash) {
      const rows = await db.update(apps).set({ apiKeyHash: hash }).where(eq(apps.id, id)).returning({ id: apps.id });
      return rows.length > 0;
    },
    async setWebhookSecret(id, secret) {
      const rows = await db
        .update(apps)
        .set({ webhookSecret: secret })
        .where(eq(apps.id, id))
        .returning({ id: apps.id });
      return rows.length > 0;
    },
    async credentials(id) {
      const [row] = await db
        .select({ apiKeyHash: apps.apiKeyHash, webhookSecret: apps.webhookSecret })
        .from(apps)
        .where(eq(apps.id, id));
      return row;
    },
    async ping() {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
