/**
 * Time partitions of the PostgreSQL history tables (declarative range partitioning, the layout a
 * PostgreSQL operator expects for time series): `raw_messages_p20261129` holds one day of raw messages,
 * and so on. A partition is created before the first write that needs it, and retention drops
 * whole partitions once all of their range is past the cutoff, so expiry never deletes row by row
 * under the writers (data lives up to one partition span longer than its retention).
 *
 * Each partition is created or dropped in a transaction of its own. Doing so locks its parent table
 * exclusively, and a read of a range locks several parents (an hour's chart reads rollup_1h, rollup_1m
 * and raw_messages): a transaction that held one parent while waiting for another could wait on a
 * reader that waits on it, and PostgreSQL would abort one of them ("deadlock detected").
 */
import type { Sql, TransactionSql } from "postgres";
import type { Level } from "./store";

const DAY_MS = 86_400_000;
const TABLES: Record<Level, string> = { raw: "raw_messages", "1m": "rollup_1m", "1h": "rollup_1h", "5m": "trends_5m" };
/**
 * A read plans and scans every partition its range touches: a month of 1-minute roll-ups (the
 * 30-day chart) is 5 weekly partitions, not 30 daily ones, at the price of keeping up to a week
 * past retention instead of a day.
 */
export const PARTITION_SPAN_MS: Record<Level, number> = {
  raw: DAY_MS,
  "1m": 7 * DAY_MS,
  "5m": 7 * DAY_MS,
  "1h": 30 * DAY_MS,
};
/** Any fixed number: replicas creating or dropping partitions take turns. */
const PARTITION_LOCK = 5_008_001;

const nameOf = (level: Level, start: number) =>
  `${TABLES[level]}_p${new Date(start).toISOString().slice(0, 10).replaceAll("-", "")}`;
const startOf = (name: string) => {
  const m = /_p(\d{4})(\d\d)(\d\d)$/.exec(name);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : undefined;
};

export function createPartitions(client: Sql) {
  const known = new Set<string>();
  /** One partition's DDL in its own transaction, replicas taking turns. */
  const alone = <T>(ddl: (tx: TransactionSql) => Promise<T>) =>
    client.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${PARTITION_LOCK})`;
      return ddl(tx);
    }) as Promise<T>;

  return {
    /** Creates the partitions that rows at these times (per level) need. */
    async ensure(times: Array<[Level, number[]]>) {
      const wanted = new Map<string, { level: Level; start: number }>();
      for (const [level, list] of times) {
        const span = PARTITION_SPAN_MS[level];
        // Named once per partition, not per row: formatting a date is most of this function's cost.
        for (const start of new Set(list.map((ts) => Math.floor(ts / span) * span))) {
          const name = nameOf(level, start);
          if (!known.has(name)) wanted.set(name, { level, start });
        }
      }
      for (const [name, { level, start }] of wanted) {
        const end = start + PARTITION_SPAN_MS[level];
        await alone((tx) =>
          tx.unsafe(
            `create table if not exists "${name}" partition of ${TABLES[level]} for values from (${start}) to (${end})`,
          ),
        );
        known.add(name);
      }
    },

    /** After a failed write: a partition dropped by another replica's retention is created again on the retry. */
    forget: () => known.clear(),

    /** Drops every partition whose whole range is older than its level's cutoff; returns how many. */
    async dropExpired(cutoffs: Record<Level, number>) {
      let dropped = 0;
      for (const level of Object.keys(cutoffs) as Level[]) {
        const rows = await client<{ name: string }[]>`select c.relname as name from pg_inherits i
          join pg_class c on c.oid = i.inhrelid where i.inhparent = ${TABLES[level]}::regclass`;
        for (const { name } of rows) {
          const start = startOf(name);
          if (start === undefined || start + PARTITION_SPAN_MS[level] > cutoffs[level]) continue;
          known.delete(name);
          // Another replica may have dropped it since the list was read.
          const gone = await alone(async (tx) => {
            const [found] = await tx<{ ok: boolean }[]>`select to_regclass(${name}) is not null as ok`;
            if (found!.ok) await tx.unsafe(`drop table "${name}"`);
            return found!.ok;
          });
          if (gone) dropped++;
        }
      }
      return dropped;
    },
  };
}
