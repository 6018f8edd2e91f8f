/**
 * Part 7 — bulk device import through the running registry's REST API.
 *   bun bench/device-import.ts [--rows 10000] [--databases sqlite,postgres] [--repeat 3]
 * One CSV file of `--rows` devices (the simulator's 3:1:1 type mix, two labels each) is POSTed to
 * `/api/devices/bulk` on a fresh registry process; then the same file again, which must report
 * every row unchanged. Time is the client's, request sent → response read, so it includes HTTP,
 * CSV parsing, validation, token hashing and the chunked transactions. Goal: 10,000 rows < 5 s on SQLite.
 */
import { parseArgs } from "node:util";
import { cpuSeconds } from "./lib/proc";
import { writeResult } from "./lib/results";
import { runId, startRegistry } from "./lib/services";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rows: { type: "string", default: "10000" },
    databases: { type: "string", default: "sqlite,postgres" },
    repeat: { type: "string", default: "3" },
  },
});
const rows = Number(flags.rows);
const GOAL_SECONDS = 5;
const TYPES = ["smart_breaker", "smart_breaker", "smart_breaker", "smart_meter", "environmental_sensor"];

const csv = (batch: string) =>
  [
    "device_id,device_type,name,labels",
    ...Array.from(
      { length: rows },
      (_, i) => `bench-${batch}-${i},${TYPES[i % 5]},Device ${i},site=s${i % 20};batch=${batch}`,
    ),
  ].join("\n");

const results: Record<string, string | number | boolean>[] = [];
for (const database of flags.databases.split(",") as Array<"sqlite" | "postgres">) {
  const registry = await startRegistry(database);
  try {
    for (let r = 0; r < Number(flags.repeat); r++) {
      const body = csv(runId());
      for (const pass of ["first", "again"] as const) {
        const cpu = cpuSeconds(registry.pid);
        const started = performance.now();
        const res = await fetch(`${registry.httpUrl}/api/devices/bulk`, {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body,
        });
        const reply = (await res.json()) as { created: number; unchanged: number; error: number };
        const seconds = (performance.now() - started) / 1000;
        if (res.status !== 200)
          throw new Error(`bulk import answered ${res.status}: ${JSON.stringify(reply).slice(0, 300)}`);
        const expected = pass === "first" ? reply.created === rows : reply.unchanged === rows;
        if (!expected || reply.error !== 0)
          throw new Error(
            `${pass} import: ${JSON.stringify({ created: reply.created, unchanged: reply.unchanged, error: reply.error })}`,
          );
        results.push({
          database,
          run: r + 1,
          pass,
          rows,
          created: reply.created,
          unchanged: reply.unchanged,
          seconds: round(seconds, 2),
          rows_per_s: Math.round(rows / seconds),
          registry_cpu_s: round(cpuSeconds(registry.pid) - cpu, 2),
          body_mb: round(body.length / 2 ** 20, 2),
        });
        console.log(`${database} run ${r + 1} ${pass}: ${rows} rows in ${round(seconds, 2)} s`);
      }
    }
  } finally {
    await registry.stop();
  }
}

printTable(`Part 7 — bulk import of ${rows} devices (CSV, REST), then the same file again`, results);
const worst = (database: string, pass: string) =>
  Math.max(...results.filter((r) => r.database === database && r.pass === pass).map((r) => r.seconds as number));
const sqliteWorst = results.some((r) => r.database === "sqlite") ? worst("sqlite", "first") : undefined;
if (sqliteWorst !== undefined)
  console.log(
    `\ngoal: ${rows} rows < ${GOAL_SECONDS} s on SQLite — slowest first import ${sqliteWorst} s: ${sqliteWorst < GOAL_SECONDS ? "met" : "NOT met"}`,
  );
await writeResult("device-import", process.env.BENCH_KAFKA_VERSION ?? "not used", {
  rows,
  goal_seconds_sqlite: GOAL_SECONDS,
  slowest_first_import_s_sqlite: sqliteWorst ?? null,
  runs: results,
});
