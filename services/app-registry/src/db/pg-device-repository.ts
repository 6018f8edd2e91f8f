import { count, eq, inArray, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { credentialOf } from "../devices/device";
import { DuplicateDeviceError } from "../errors";
import type { DeviceRepository } from "./device-repository";
import type { DeviceDialect } from "./device-rows";
import { deviceOrder, deviceWhere, isDeviceConflict, toDevice } from "./device-rows";
import { devices } from "./pg-device-schema";
import { chunks } from "./rows";

const dialect: DeviceDialect = {
  hasLabels: (labels) => sql`${devices.labels} @> ${JSON.stringify(labels)}::jsonb`,
  position: (haystack, needle) => sql`strpos(${haystack}, ${needle})`,
};

/**
 * Devices in the registry's PostgreSQL database, on a pool of their own. The database is migrated
 * (devices included) by the application repository, which opens first (db/open.ts).
 */
export function openPgDeviceRepository(url: string): DeviceRepository {
  const client = postgres(url, { max: 10, connect_timeout: 10, onnotice: () => {} });
  const db = drizzle({ client });
  const credentialColumns = {
    deviceId: devices.deviceId,
    deviceType: devices.deviceType,
    status: devices.status,
    tokenSha256: devices.tokenSha256,
  };

  return {
    async insert(values) {
      try {
        await db.insert(devices).values(values);
      } catch (e) {
        throw isDeviceConflict(e) ? new DuplicateDeviceError(values.deviceId) : e;
      }
      return toDevice(values);
    },
    async get(id) {
      const [row] = await db.select().from(devices).where(eq(devices.deviceId, id));
      return row && toDevice(row);
    },
    find: async (filter, { limit, offset }) =>
      (
        await db
          .select()
          .from(devices)
          .where(deviceWhere(devices, filter, dialect))
          .orderBy(...deviceOrder(devices))
          .limit(limit)
          .offset(offset)
      ).map(toDevice),
    async count(filter) {
      const [row] = await db
        .select({ n: count() })
        .from(devices)
        .where(deviceWhere(devices, filter, dialect));
      return row?.n ?? 0;
    },
    async update(id, changes) {
      const [after] = await db.update(devices).set(changes).where(eq(devices.deviceId, id)).returning();
      return after && { device: toDevice(after), credential: credentialOf(after) };
    },
    async setTokenHash(id, tokenSha256, updatedAt) {
      const [after] = await db
        .update(devices)
        .set({ tokenSha256, updatedAt })
        .where(eq(devices.deviceId, id))
        .returning(credentialColumns);
      return after && credentialOf(after);
    },
    async delete(id) {
      const [gone] = await db.delete(devices).where(eq(devices.deviceId, id)).returning(credentialColumns);
      return gone && credentialOf(gone);
    },
    credentials: async () => (await db.select(credentialColumns).from(devices)).map(credentialOf),
    importChunk: (rows) =>
      db.transaction(async (tx) => {
        const ids = rows.map((r) => r.deviceId);
        const found = (
          await Promise.all(chunks(ids).map((part) => tx.select().from(devices).where(inArray(devices.deviceId, part))))
        ).flat();
        const existing = new Map(found.map((r) => [r.deviceId, toDevice(r)] as const));
        const fresh = rows.filter((r) => !existing.has(r.deviceId));
        const created = new Set<string>();
        // A concurrent import may take an id between the read and the insert: that row is then not ours.
        for (const part of chunks(fresh)) {
          const inserted = await tx
            .insert(devices)
            .values(part)
            .onConflictDoNothing()
            .returning({ deviceId: devices.deviceId });
          for (const { deviceId } of inserted) created.add(deviceId);
        }
        const lost = fresh.filter((r) => !created.has(r.deviceId)).map((r) => r.deviceId);
        if (lost.length > 0)
          for (const r of await tx.select().from(devices).where(inArray(devices.deviceId, lost)))
            existing.set(r.deviceId, toDevice(r));
        return { created, existing };
      }),
    close: () => client.end({ timeout: 5 }),
  };
}
