/**
 * `bun run alarms` as a process, SIGKILLed while a `for` timer runs and again while an alarm is
 * active: the timer completes on time after the restart, and the alarm is neither lost nor raised twice.
 */
import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { parseMetrics } from "@iot/common/metrics";
import { eventually } from "@iot/common/testing";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import {
  alarmsEnv,
  collect,
  type Db,
  enriched,
  enrichedRecord,
  OVERTEMP,
  registryFile,
  root,
  testBus,
  testDb,
  testTopics,
} from "./support";

const cleanup: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f().catch(() => undefined);
});

/** The persisted state of one rule, read the way an operator would: from the database. */
async function ruleStatus(db: Db, deviceId: string): Promise<string | undefined> {
  const q = "select status from alarm_rule_states where device_id = $1 and rule_id = 'overtemperature'";
  if (db.url) {
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      const rows = await sql.unsafe(q, [deviceId]).catch(() => []);
      return rows[0]?.status;
    } finally {
      await sql.end();
    }
  }
  const file = new Database(db.sqlitePath, { readonly: true });
  try {
    return (file.query(q.replace("$1", "?")).get(deviceId) as { status: string } | null)?.status;
  } finally {
    file.close();
  }
}

for (const kind of ["sqlite", "postgresql"] as const) {
  describe(`alarms process on ${kind}`, () => {
    test("SIGKILL while a `for` timer runs and while an alarm is active: on time, once, not lost", async () => {
      const db = await testDb(kind);
      cleanup.push(() => db.drop());
      const t = testTopics();
      const bus = await testBus(t);
      cleanup.push(() => bus.stop());
      const out = await collect(bus, t.alarms);
      cleanup.push(() => out.sub.stop());
      const port = await freePort();
      const env = alarmsEnv(t, db, await registryFile([{ ...OVERTEMP, for_seconds: 3 }]), {
        ALARMS_PORT: String(port),
        ALARMS_TICK_MS: "100",
        LOG_LEVEL: "info",
      });
      const procs: ServiceProcess[] = [];
      cleanup.push(async () => Promise.all(procs.map((p) => p.stop("SIGKILL"))));
      const launch = async () => {
        const p = spawnService(`${root}services/alarms/src/main.ts`, env);
        procs.push(p);
        await p.waitForLog(/"alarms ready"/);
        return p;
      };
      const consumed = async () =>
        parseMetrics(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).get("alarms_consumed_total") ?? 0;
      const reading = (offset: number, at: number, celsius: number) =>
        enrichedRecord(enriched("breaker-k", { temperature: { value: celsius } }), offset, at);

      let p = await launch();
      const t1 = Date.now();
      await bus.publish(t.enriched, [reading(1, t1, 75)]);
      await eventually("the pending timer persisted", async () =>
        (await ruleStatus(db, "breaker-k")) === "pending" ? true : undefined,
      );
      expect(out.records.length).toBe(0);
      await p.stop("SIGKILL");

      p = await launch();
      const readyAt = Date.now();
      await eventually("raised after the restart", () => (out.records.length >= 1 ? true : undefined), 10_000);
      const arrived = Date.now();
      const [raised] = out.json();
      expect(raised).toMatchObject({
        kind: "raised",
        alarm: { device_id: "breaker-k", rule_id: "overtemperature", value: 75 },
      });
      expect(Date.parse(raised!.at)).toBe(t1 + 3_000); // when the timer ran out, not when the new process noticed
      // On time: as soon as both the timer has run out and the new process is up (a tick, a publish, our consumer).
      expect(arrived - Math.max(t1 + 3_000, readyAt)).toBeLessThan(2_000);

      // Another hot reading, then SIGKILL with the alarm active (its offsets may not be committed).
      await bus.publish(t.enriched, [reading(2, t1 + 4_000, 76)]);
      await eventually("the second reading consumed", async () => ((await consumed()) >= 1 ? true : undefined));
      await p.stop("SIGKILL");

      p = await launch();
      const active = await (await fetch(`http://127.0.0.1:${port}/api/alarms?device_id=breaker-k`)).json();
      expect(active.alarms.map((a: { id: string }) => a.id)).toEqual([raised!.alarm.id]);
      // Duplicates of what came before (same message ids), one more hot reading, then the clear.
      await bus.publish(t.enriched, [
        reading(1, t1, 75),
        reading(2, t1 + 4_000, 76),
        reading(3, t1 + 5_000, 74),
        reading(4, t1 + 6_000, 60),
      ]);
      await eventually("cleared", () => (out.records.length >= 2 ? true : undefined), 10_000);
      await eventually("all consumed", async () => ((await consumed()) >= 4 ? true : undefined));
      expect(out.json().map((e) => [e.kind, e.alarm.id])).toEqual([
        ["raised", raised!.alarm.id],
        ["cleared", raised!.alarm.id],
      ]);
      expect(await p.stop("SIGTERM")).toBe(0);
    }, 60_000);
  });
}
