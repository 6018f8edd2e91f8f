/**
 * Partition DDL beside a chart's read, on real PostgreSQL. Creating or dropping a partition locks its
 * parent table exclusively; a read of an hour's chart locks rollup_1h, then rollup_1m and raw_messages.
 * When one transaction created (or dropped) the partitions of several tables, it could hold one parent
 * while it waited for the reader on another, and the reader then waited for it: PostgreSQL aborted one
 * of them ("deadlock detected", a 503 for the chart). Here the reader holds rollup_1h, the DDL starts
 * and waits, and the reader goes on to the other tables: both finish.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually } from "@iot/common/testing";
import postgres from "postgres";
import { openTestDatabase, type TestDatabase } from "../../app-registry/test/support/databases";
import { openStore } from "../src/db/open";
import { createPartitions } from "../src/db/pg-partitions";
import type { HistoryStore } from "../src/db/store";

let database: TestDatabase;
let store: HistoryStore;
let ddl: postgres.Sql;
let reader: postgres.Sql;
let watcher: postgres.Sql;

beforeAll(async () => {
  database = await openTestDatabase("postgres");
  store = await openStore(database.config); // migrated: the partitioned parents exist
  const url = database.config.databaseUrl!;
  ddl = postgres(url, { max: 2, onnotice: () => undefined });
  reader = postgres(url, { max: 1 });
  watcher = postgres(url, { max: 1 });
});
afterAll(async () => {
  await Promise.all([ddl?.end(), reader?.end(), watcher?.end()]);
  await store?.close();
  await database?.drop();
});

const exists = async (name: string) =>
  (await watcher<{ ok: boolean }[]>`select to_regclass(${name}) is not null as ok`)[0]!.ok;

/** Waits until some session of this database waits for a lock: the DDL behind the reader. */
const ddlWaiting = () =>
  eventually("the DDL waiting for the reader's lock", async () => {
    const [row] = await watcher<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`;
    return row!.n > 0 ? true : undefined;
  });

/** The reader's transaction: rollup_1h first, then, while `work` waits on it, the other tables. */
async function readBeside(work: () => Promise<unknown>) {
  let outcome!: Promise<string>;
  await reader.begin(async (tx) => {
    await tx`select count(*) from rollup_1h`;
    outcome = work().then(
      () => "done",
      (e: Error) => e.message,
    );
    await ddlWaiting();
    await tx`select count(*) from rollup_1m`;
    await tx`select count(*) from raw_messages`;
  });
  return await outcome;
}

test("creating partitions of several tables waits for a chart's read and neither is aborted", async () => {
  const partitions = createPartitions(ddl);
  const t = Date.UTC(2030, 0, 7);
  expect(
    await readBeside(() =>
      partitions.ensure([
        ["raw", [t]],
        ["1m", [t]],
        ["1h", [t]],
      ]),
    ),
  ).toBe("done");
  expect(await exists("raw_messages_p20300107")).toBe(true);
  expect(await exists("rollup_1m_p20300103")).toBe(true); // weekly spans start on a Thursday (the epoch's)
  expect(await exists("rollup_1h_p20291217")).toBe(true);
});

test("dropping expired partitions of several tables waits for a chart's read and neither is aborted", async () => {
  const partitions = createPartitions(ddl);
  const t = Date.UTC(2020, 0, 7);
  await partitions.ensure([
    ["raw", [t]],
    ["1m", [t]],
    ["1h", [t]],
  ]);
  const names = ["raw_messages_p20200107", "rollup_1m_p20200102", "rollup_1h_p20191210"];
  for (const name of names) expect(await exists(name)).toBe(true);

  const cutoff = Date.UTC(2021, 0, 1);
  let dropped = 0;
  const outcome = await readBeside(async () => {
    dropped = await partitions.dropExpired({ raw: cutoff, "1m": cutoff, "1h": cutoff, "5m": 0 });
  });
  expect(outcome).toBe("done");
  expect(dropped).toBe(3);
  for (const name of names) expect(await exists(name)).toBe(false);
  // A second run finds nothing left to drop and counts nothing.
  expect(await partitions.dropExpired({ raw: cutoff, "1m": cutoff, "1h": cutoff, "5m": 0 })).toBe(0);
});
