/**
 * A PostgreSQL history database written by the first schema (a row per raw point, roll-ups upserted
 * as points arrived) migrates forward on open: its raw points regrouped a message per row, its
 * roll-ups kept (under keys that carry their figures), and the points it holds still recognised when
 * they are delivered again.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { postgresDatabase, type TestDatabase } from "../../app-registry/test/support/databases";
import { openPgStore } from "../src/db/pg-store";
import { type HistoryStore, MIGRATIONS_TABLE } from "../src/db/store";

const MIGRATIONS = new URL("../src/db/migrations/pg", import.meta.url).pathname;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0);
const DAY = 86_400_000;
const M = "current.phase_a";

let database: TestDatabase;
let store: HistoryStore;
const folder = mkdtempSync(join(tmpdir(), "history-migrations-"));

beforeAll(async () => {
  database = await postgresDatabase();
  // The migrations folder as the first release shipped it: 0000 alone.
  cpSync(MIGRATIONS, folder, { recursive: true });
  const journal = JSON.parse(await Bun.file(join(folder, "meta/_journal.json")).text());
  writeFileSync(
    join(folder, "meta/_journal.json"),
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }),
  );
  const client = postgres(database.config.databaseUrl!, { max: 1, onnotice: () => {} });
  await migrate(drizzle({ client }), { migrationsFolder: folder, migrationsTable: MIGRATIONS_TABLE });
  // Two metrics of breaker-042 at T0 and one at T0 + 30 s, and their roll-ups as the old writer stored them.
  await client.unsafe(`insert into series (id, device_id, metric) overriding system value values
    (1, 'breaker-042', '${M}'), (2, 'breaker-042', 'voltage.phase_a')`);
  // Partitions named as the store names them, so it finds them instead of creating overlapping ones.
  const partition = async (table: string, span: number) => {
    const start = T0 - (T0 % span);
    const name = `${table}_p${new Date(start).toISOString().slice(0, 10).replaceAll("-", "")}`;
    await client.unsafe(`create table ${name} partition of ${table} for values from (${start}) to (${start + span})`);
  };
  await partition("raw_points", DAY);
  await partition("rollup_1m", DAY);
  await partition("rollup_1h", 30 * DAY);
  await client.unsafe(`insert into raw_points values (1, ${T0}, 10), (2, ${T0}, 230), (1, ${T0 + 30_000}, 14)`);
  for (const [table, bucket] of [
    ["rollup_1m", T0],
    ["rollup_1h", T0],
  ] as const)
    await client.unsafe(`insert into ${table} values (1, ${bucket}, 2, 24, 10, 14, 14, ${T0 + 30_000}),
      (2, ${bucket}, 1, 230, 230, 230, 230, ${T0})`);
  await client.end();
  store = await openPgStore(database.config.databaseUrl!);
});
afterAll(async () => {
  await store?.close();
  await database.drop();
  rmSync(folder, { recursive: true, force: true });
});

test("raw points, roll-ups and latest values read the same after the migration", async () => {
  const range = { deviceId: "breaker-042", metric: M, from: T0, to: T0 + 3_600_000 };
  expect(await store.range({ ...range, level: "raw", width: 30_000 })).toEqual([
    { t: T0, count: 1, avg: 10, min: 10, max: 10, last: 10 },
    { t: T0 + 30_000, count: 1, avg: 14, min: 14, max: 14, last: 14 },
  ]);
  const minute = [{ t: T0, count: 2, avg: 12, min: 10, max: 14, last: 14 }];
  expect(await store.range({ ...range, level: "1m", width: 60_000 })).toEqual(minute);
  expect(await store.latest("breaker-042")).toEqual([
    { metric: M, ts: T0 + 30_000, value: 14 },
    { metric: "voltage.phase_a", ts: T0, value: 230 },
  ]);
  const again = [
    { deviceId: "breaker-042", metric: M, ts: T0, value: 10 },
    { deviceId: "breaker-042", metric: "voltage.phase_a", ts: T0, value: 230 },
  ];
  expect(await store.write(again, [])).toEqual({ stored: 0, duplicates: 2 });
  await store.rollUp(T0 + DAY);
  expect(await store.range({ ...range, level: "1m", width: 60_000 })).toEqual(minute);
});

test("the 1-minute roll-ups move from daily into weekly partitions, their rows kept", async () => {
  const client = postgres(database.config.databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    const parts = await client<{ name: string; bound: string }[]>`select c.relname as name,
      pg_get_expr(c.relpartbound, c.oid) as bound from pg_inherits i join pg_class c on c.oid = i.inhrelid
      where i.inhparent = 'rollup_1m'::regclass`;
    const week = T0 - (T0 % (7 * DAY));
    const name = `rollup_1m_p${new Date(week).toISOString().slice(0, 10).replaceAll("-", "")}`;
    expect([...parts]).toEqual([{ name, bound: `FOR VALUES FROM ('${week}') TO ('${week + 7 * DAY}')` }]);
    const [rows] = await client<{ n: number }[]>`select count(*)::int as n from rollup_1m`;
    expect(rows!.n).toBe(2);
  } finally {
    await client.end();
  }
});

test("the roll-up keys carry the figures a range read takes, so it needs only the key index (rows kept)", async () => {
  const client = postgres(database.config.databaseUrl!, { max: 1, onnotice: () => {} });
  try {
    for (const table of ["rollup_1m", "rollup_1h"]) {
      const keys = await client<{ def: string }[]>`select pg_get_indexdef(x.indexrelid) as def from pg_index x
        where x.indisprimary and (x.indrelid = ${table}::regclass
          or x.indrelid in (select inhrelid from pg_inherits where inhparent = ${table}::regclass))`;
      expect(keys.length).toBe(2); // the table's and its one partition's
      for (const { def } of keys) expect(def).toEndWith("(series_id, bucket) INCLUDE (count, sum, min, max, last)");
    }
    await client`vacuum rollup_1m`; // index-only scans skip the table for pages vacuum marked all-visible
    const plan = await client.begin(async (tx) => {
      await tx`set local enable_seqscan = off`; // two rows: the planner would otherwise just read the table
      await tx`set local enable_bitmapscan = off`;
      return tx.unsafe(`explain (analyze, costs off, summary off, timing off)
        select sum(count), sum(sum), min(min), max(max), max(bucket) from rollup_1m where series_id = 1 and bucket >= ${T0} and bucket < ${T0 + DAY}`);
    });
    const text = plan.map((r) => r["QUERY PLAN"]).join("\n");
    expect(text).toContain("Index Only Scan");
    expect(text).toContain("Heap Fetches: 0");
  } finally {
    await client.end();
  }
});
