import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { openMigratedPostgres } from "@iot/common/postgres";
import { alarmEvents, alarms, devices, ruleStates } from "./pg-schema";
import {
  alarmOf,
  alarmRow,
  chunks,
  deviceOf,
  deviceRow,
  eventOf,
  eventRow,
  excluded,
  MIGRATIONS_TABLE,
  stateOf,
  stateRow,
} from "./rows";
import type { AlarmStore } from "./store";

/** Any fixed number: held while migrating so replicas starting together migrate one at a time. */
const MIGRATION_LOCK = 5_007_014;

/** Alarm state in PostgreSQL (common/postgres: postgres-js, migrated on open). */
export async function openPgStore(url: string): Promise<AlarmStore> {
  const { client, db } = await openMigratedPostgres(url, {
    migrationsFolder: `${import.meta.dir}/migrations/pg`,
    migrationsTable: MIGRATIONS_TABLE,
    lockId: MIGRATION_LOCK,
  });

  return {
    async load() {
      const [states, active, seen] = await Promise.all([
        db.select().from(ruleStates),
        db.select().from(alarms).where(isNull(alarms.clearedAt)),
        db.select().from(devices),
      ]);
      return { states: states.map(stateOf), alarms: active.map(alarmOf), devices: seen.map(deviceOf) };
    },
    async save(c) {
      await db.transaction(async (tx) => {
        for (const rows of chunks([...c.states.values()].map(stateRow)))
          await tx
            .insert(ruleStates)
            .values(rows)
            .onConflictDoUpdate({
              target: [ruleStates.deviceId, ruleStates.ruleId],
              set: excluded(ruleStates, ["deviceId", "ruleId"]),
            });
        for (const rows of chunks([...c.alarms.values()].map(alarmRow)))
          await tx
            .insert(alarms)
            .values(rows)
            .onConflictDoUpdate({ target: alarms.id, set: excluded(alarms, ["id"]) });
        for (const rows of chunks(c.events.map(eventRow)))
          await tx.insert(alarmEvents).values(rows).onConflictDoNothing();
        for (const rows of chunks([...c.devices.values()].map(deviceRow)))
          await tx
            .insert(devices)
            .values(rows)
            .onConflictDoUpdate({ target: devices.deviceId, set: excluded(devices, ["deviceId"]) });
      });
    },
    unpublished: async (limit) =>
      (
        await db
          .select()
          .from(alarmEvents)
          .where(eq(alarmEvents.published, false))
          .orderBy(asc(alarmEvents.seq))
          .limit(limit)
      ).map(eventOf),
    async markPublished(ids) {
      for (const part of chunks(ids))
        await db.update(alarmEvents).set({ published: true }).where(inArray(alarmEvents.id, part));
    },
    active: async (f) =>
      (
        await db
          .select()
          .from(alarms)
          .where(
            and(
              isNull(alarms.clearedAt),
              f.deviceId ? eq(alarms.deviceId, f.deviceId) : undefined,
              f.deviceType ? eq(alarms.deviceType, f.deviceType) : undefined,
              f.severity ? eq(alarms.severity, f.severity) : undefined,
            ),
          )
          .orderBy(desc(alarms.raisedAt), desc(alarms.id))
      ).map(alarmOf),
    async get(id) {
      const [row] = await db.select().from(alarms).where(eq(alarms.id, id));
      return row && alarmOf(row);
    },
    history: async (f) =>
      (
        await db
          .select()
          .from(alarmEvents)
          .where(
            and(
              gte(alarmEvents.at, f.from),
              lt(alarmEvents.at, f.to),
              f.deviceId ? eq(alarmEvents.deviceId, f.deviceId) : undefined,
            ),
          )
          .orderBy(desc(alarmEvents.at), desc(alarmEvents.seq))
          .limit(f.limit)
      ).map(eventOf),
    async ping() {
      await db.execute(sql`select 1`);
    },
    close: () => client.end({ timeout: 5 }),
  };
}
