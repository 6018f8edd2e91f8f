/**
 * End to end, every service its own process on the broker: the simulator's breakers trip and
 * reclose; each trip raises "breaker tripped" and its reclose clears it, within seconds.
 */
import { afterAll, expect, test } from "bun:test";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { eventually, kafkaBrokers, quietLogger } from "@iot/common/testing";
import { freePort, type ServiceProcess, spawnService } from "@iot/common/testing-process";
import { platformEnv, startEnrichment, startRegistry } from "../../../test/e2e/drill-kit";
import { type Db, root, testDb } from "./support";

const procs: ServiceProcess[] = [];
let db: Db | undefined;
afterAll(async () => {
  for (const p of procs.reverse()) await p.stop();
  await db?.drop();
});

test("a simulated trip raises breaker_tripped and the reclose clears it", async () => {
  const brokers = kafkaBrokers().join(",");
  const p = await platformEnv(brokers);
  const alarmsTopic = `${p.topics.raw.slice(0, -4)}.alarms`;
  db = await testDb("sqlite");
  const bus = createKafkaBus({ brokers: kafkaBrokers(), clientId: "trip-test", topics: [], log: quietLogger() });
  await bus.start();
  procs.push(await startRegistry(p));
  procs.push(await startEnrichment(p));
  const alarms = spawnService(`${root}services/alarms/src/main.ts`, {
    ...p.env,
    TOPIC_ALARMS: alarmsTopic,
    ALARMS_GROUP: `${alarmsTopic}-group`,
    ALARMS_PORT: String(await freePort()),
    ALARMS_DB_PATH: db.sqlitePath,
  });
  procs.push(alarms);
  await alarms.waitForLog(/"alarms ready"/);

  const events: Array<{ kind: string; at: string; alarm: { id: string; device_id: string; rule_id: string } }> = [];
  const sub = await bus.subscribe({
    groupId: `${alarmsTopic}-reader`,
    topics: [alarmsTopic],
    fromBeginning: true,
    handler: async (b) => void events.push(...b.records.map((r) => JSON.parse(new TextDecoder().decode(r.value)))),
  });
  // Breakers only, one sample a second, faults often, reclosing after 3 s.
  const simulator = spawnService(`${root}services/simulator/src/main.ts`, {
    ...p.env,
    SIMULATOR_PORT: String(p.ports.simulator),
    SIM_DEVICES: "smart_breaker=20",
    PUBLISH_INTERVAL: "1",
    SIM_ANOMALY_RATE: "0.05",
    SIM_RECLOSE_SECONDS: "3",
    SIM_SEED: "trip",
  });
  procs.push(simulator);
  await simulator.waitForLog(/simulator ready/);

  const trip = (kind: string, id?: string) =>
    events.find(
      (e) => e.alarm.rule_id === "breaker_tripped" && e.kind === kind && (id === undefined || e.alarm.id === id),
    );
  const raised = await eventually("a breaker_tripped raised", () => trip("raised"), 60_000);
  const cleared = await eventually("its reclose clears it", () => trip("cleared", raised.alarm.id), 30_000);
  expect(cleared.alarm.device_id).toBe(raised.alarm.device_id);
  // Reclose after 3 s, sampled once a second: cleared within seconds of being raised (broker time).
  expect(Date.parse(cleared.at) - Date.parse(raised.at)).toBeLessThan(6_000);
  await sub.stop();
  await bus.stop();
}, 120_000);
