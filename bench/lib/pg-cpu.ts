/**
 * CPU time (ms) the PostgreSQL backends serving `database` have used so far: only when the server
 * runs on this machine (its backends' /proc entries are read). Connections that closed are not
 * counted, so read it while the pool under test is open.
 */
import type postgres from "postgres";
import { cpuSeconds } from "./proc";

export async function backendCpuMs(client: postgres.Sql, database: string): Promise<number> {
  const pids = await client<
    { pid: number }[]
  >`select pid from pg_stat_activity where datname = ${database} and pid <> pg_backend_pid()`;
  return pids.reduce((ms, { pid }) => ms + (cpuSeconds(pid) || 0) * 1000, 0);
}
