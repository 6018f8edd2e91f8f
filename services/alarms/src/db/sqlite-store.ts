import { Database } from "bun:sqlite";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { and, asc, desc, eq, gte, inArray, isNull, lt, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrate } from "drizzle-orm/bun-sqlite/migrator";
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
import { alarmEvents, alarms, devices, ruleStates } from "./sqlite-schema";
import type { AlarmStore } from "./store";

/** SQLite through bun:sqlite (synchronous, one connection: a transaction never interleaves), migrated on open. */
export function openSqliteStore(path: string): AlarmStore {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const client = new Database(path, { create: true, strict: true });
  client.exec("PRAGMA journal_mode = WAL");
  client.exec("PRAGMA synchronous = NORMAL");
  client.exec("PRAGMA busy_timeout = 5000");
  const db = drizzle({ client });
  migrate(db, { migrationsFolder: `${import.meta.dir}/migrations/sqlite`, migrationsTable: MIGRATIONS_TABLE });

  return {
    async load() {
      return {
        states: db.select().from(ruleStates).all().map(stateOf),
        alarms: db.select().from(alarms).where(isNull(alarms.clearedAt)).all().map(alarmOf),
        devices: db.select().from(devices).all().map(deviceOf),
      };
    },
    async save(c) {
      db.transaction((tx) => {
        for (const rows of chunks([...c.states.values()].map(stateRow)))
          tx.insert(ruleStates)
            .values(rows)
            .onConflictDoUpdate({
              target: [ruleStates.deviceId, ruleStates.ruleId],
              set: excluded(ruleStates, ["deviceId", "ruleId"]),
            })
            .run();
        for (const rows of chunks([...c.alarms.values()].map(alarmRow)))
          tx.insert(alarms)
            .values(rows)
            .onConflictDoUpdate({ target: alarms.id, set: excluded(alarms, ["id"]) })
            .run();
        for (const rows of chunks(c.events.map(eventRow)))
          tx.insert(alarmEvents).values(rows).onConflictDoNothing().run();
        for (const rows of chunks([...c.devices.values()].map(deviceRow)))
          tx.insert(devices)
            .values(rows)
            .onConflictDoUpdate({ target: devices.deviceId, set: excluded(devices, ["deviceId"]) })
            .run();
      });
    },
    unpublished: async (limit) =>
      db
        .select()
        .from(alarmEvents)
        .where(eq(alarmEvents.published, false))
        .orderBy(asc(alarmEvents.seq))
        .limit(limit)
        .all()
        .map(eventOf),
    async markPublished(ids) {
      for (const part of chunks(ids))
        db.update(alarmEvents).set({ published: true }).where(inArray(alarmEvents.id, part)).run();
    },
    active: async (f) =>
      db
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
        .all()
        .map(alarmOf),
    get: async (id) => {
      const row = db.select().from(alarms).where(eq(alarms.id, id)).get();
      return row && alarmOf(row);
    },
    history: async (f) =>
      db
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
        .all()
        .map(eventOf),
    async ping() {
      db.run(sql`select 1`);
    },
    async close() {
      client.close();
    },
  };
}
