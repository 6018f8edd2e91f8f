import { Database } from "bun:sqlite";
import { count, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { credentialOf } from "../devices/device";
import { DuplicateDeviceError } from "../errors";
import type { DeviceRepository } from "./device-repository";
import type { DeviceDialect } from "./device-rows";
import { deviceOrder, deviceWhere, isDeviceConflict, toDevice } from "./device-rows";
import { chunks } from "./rows";
import { devices } from "./sqlite-device-schema";

const dialect: DeviceDialect = {
  // Keys are restricted to [A-Za-z0-9._/-] (device-rules.ts), so quoting them in a JSON path is safe.
  hasLabels: (labels) =>
    sql.join(
      Object.entries(labels).map(([k, v]) => sql`json_extract(${devices.labels}, ${`$."${k}"`}) = ${v}`),
      sql` and `,
    ),
  position: (haystack, needle) => sql`instr(${haystack}, ${needle})`,
};

/**
 * Devices in the registry's SQLite file, on a connection of their own. The file is migrated
 * (devices included) by the application repository, which opens first (db/open.ts).
 */
export function openSqliteDeviceRepository(path: string): DeviceRepository {
  const client = new Database(path, { create: true, strict: true });
  client.exec("PRAGMA busy_timeout = 5000");
  const db = drizzle({ client });
  const row = (id: string) => db.select().from(devices).where(eq(devices.deviceId, id)).get();

  return {
    async insert(values) {
      try {
        db.insert(devices).values(values).run();
      } catch (e) {
        throw isDeviceConflict(e) ? new DuplicateDeviceError(values.deviceId) : e;
      }
      return toDevice(values);
    },
    get: async (id) => {
      const found = row(id);
      return found && toDevice(found);
    },
    find: async (filter, { limit, offset }) =>
      db
        .select()
        .from(devices)
        .where(deviceWhere(devices, filter, dialect))
        .orderBy(...deviceOrder(devices))
        .limit(limit)
        .offset(offset)
        .all()
        .map(toDevice),
    count: async (filter) =>
      db
        .select({ n: count() })
        .from(devices)
        .where(deviceWhere(devices, filter, dialect))
        .get()?.n ?? 0,
    async update(id, changes) {
      const [after] = db.update(devices).set(changes).where(eq(devices.deviceId, id)).returning().all();
      return after && { device: toDevice(after), credential: credentialOf(after) };
    },
    async setTokenHash(id, tokenSha256, updatedAt) {
      const [after] = db
        .update(devices)
        .set({ tokenSha256, updatedAt })
        .where(eq(devices.deviceId, id))
        .returning()
        .all();
      return after && credentialOf(after);
    },
    async delete(id) {
      const [gone] = db.delete(devices).where(eq(devices.deviceId, id)).returning().all();
      return gone && credentialOf(gone);
    },
    credentials: async () =>
      db
        .select({
          deviceId: devices.deviceId,
          deviceType: devices.deviceType,
          status: devices.status,
          tokenSha256: devices.tokenSha256,
        })
        .from(devices)
        .all()
        .map(credentialOf),
    async importChunk(rows) {
      return db.transaction(() => {
        const existing = new Map(
          chunks(rows.map((r) => r.deviceId))
            .flatMap((ids) => db.select().from(devices).where(inArray(devices.deviceId, ids)).all())
            .map((r) => [r.deviceId, toDevice(r)] as const),
        );
        const fresh = rows.filter((r) => !existing.has(r.deviceId));
        for (const part of chunks(fresh)) db.insert(devices).values(part).run();
        return { created: new Set(fresh.map((r) => r.deviceId)), existing };
      });
    },
    async close() {
      client.close();
    },
  };
}
