import { describe, expect, test } from "bun:test";
import { parseDeviceRegistry } from "@iot/common/device-registry";
import { enriched, OVERTEMP, shippedRegistry } from "../test/support";
import { Changes, createEngine } from "./engine";

const doc = await shippedRegistry();
doc.device_types.smart_breaker.alarm_rules = [
  OVERTEMP,
  { id: "silent", kind: "silent", intervals: 3, severity: "minor", message: "{device_id}" },
];
const registry = parseDeviceRegistry(doc);

function engine(rules = (t: string) => registry.alarmRules.get(t) ?? []) {
  let n = 0;
  const e = createEngine({ rules: (t) => rules(t), newId: () => `id-${++n}`, persistSeenEveryMs: 60_000 });
  e.load({ states: [], alarms: [], devices: [] }, 0);
  let offset = 0;
  const feed = (at: number, celsius: number | undefined, opts: { offset?: number; deviceTime?: string } = {}) => {
    const out = new Changes();
    const ev = enriched(
      "b1",
      celsius === undefined ? { voltage: { phase_a: 120 } } : { temperature: { value: celsius } },
    );
    if (opts.deviceTime) ev.timestamp = opts.deviceTime;
    e.reading({ event: ev, at, position: { stream: "raw/0", offset: opts.offset ?? ++offset } }, out);
    return out;
  };
  return { e, feed };
}
const kinds = (c: Changes) => c.events.map((x) => `${x.kind}:${x.alarm.severity}`);

describe("evaluation", () => {
  test("escalates and de-escalates an active alarm's severity, then clears below the clear line", () => {
    const { feed } = engine();
    expect(kinds(feed(0, 75))).toEqual([]);
    expect(kinds(feed(30_000, 75))).toEqual(["raised:major"]);
    expect(kinds(feed(31_000, 80))).toEqual(["severity_changed:critical"]);
    expect(kinds(feed(32_000, 79))).toEqual([]);
    expect(kinds(feed(33_000, 72))).toEqual(["severity_changed:major"]);
    expect(kinds(feed(34_000, 66))).toEqual([]);
    expect(kinds(feed(35_000, 64.9))).toEqual(["cleared:major"]);
  });

  test("a reading without the metric neither raises nor clears", () => {
    const { feed } = engine();
    feed(0, 75);
    expect(kinds(feed(40_000, undefined))).toEqual([]);
    expect(kinds(feed(41_000, 75))).toEqual(["raised:major"]);
    expect(kinds(feed(50_000, undefined))).toEqual([]);
    expect(kinds(feed(51_000, 60))).toEqual(["cleared:major"]);
  });

  test("`for` runs on broker time: devices' clocks in the future or far past change nothing", () => {
    const { feed } = engine();
    feed(0, 75, { deviceTime: "2099-01-01T00:00:00.000000Z" });
    expect(kinds(feed(29_000, 75, { deviceTime: "1999-01-01T00:00:00.000000Z" }))).toEqual([]);
    expect(kinds(feed(30_000, 75, { deviceTime: "2099-01-01T00:00:00.000000Z" }))).toEqual(["raised:major"]);
  });

  test("a record at or before the last transition's position is not applied again", () => {
    const { feed } = engine();
    feed(0, 75, { offset: 1 });
    expect(kinds(feed(30_000, 75, { offset: 2 }))).toEqual(["raised:major"]);
    expect(kinds(feed(40_000, 60, { offset: 3 }))).toEqual(["cleared:major"]);
    // Replayed from offset 1: the pending start and the raise are in the past.
    expect(kinds(feed(0, 75, { offset: 1 }))).toEqual([]);
    expect(kinds(feed(30_000, 75, { offset: 2 }))).toEqual([]);
    expect(kinds(feed(45_000, 75, { offset: 4 }))).toEqual([]); // a new episode starts pending
  });

  test("a tick raises a timer that ran out, and a silence, at the time each ran out", () => {
    const { e, feed } = engine();
    feed(1_000, 75);
    const out = new Changes();
    e.tick(15_999, out);
    expect(out.events).toEqual([]);
    e.tick(45_000, out);
    expect(out.events.map((x) => [x.kind, x.alarm.ruleId, x.at, x.alarm.value])).toEqual([
      ["raised", "overtemperature", 31_000, 75],
      ["raised", "silent", 16_000, null],
    ]);
    e.tick(46_000, out);
    expect(out.events.length).toBe(2);
  });

  test("acknowledging keeps the alarm active and records who, when and why", () => {
    const { e, feed } = engine();
    feed(0, 75);
    const raised = feed(30_000, 75).events[0]!.alarm;
    const out = new Changes();
    const acked = e.acknowledge(raised.id, "ops@example.com", "on my way", 31_000, out);
    expect(acked).toMatchObject({
      id: raised.id,
      clearedAt: null,
      ack: { by: "ops@example.com", at: 31_000, note: "on my way" },
    });
    expect(kinds(out)).toEqual(["acknowledged:major"]);
    expect(e.acknowledge("nope", "x", "", 0, new Changes())).toBeUndefined();
    expect(e.activeAlarms().map((a) => a.ack?.by)).toEqual(["ops@example.com"]);
    expect(feed(32_000, 60).events[0]!.alarm.ack?.by).toBe("ops@example.com");
  });

  test("a rule removed from the file stops its timer and clears its active alarm", () => {
    let current = registry.alarmRules.get("smart_breaker")!;
    const { e, feed } = engine(() => current);
    feed(0, 75);
    feed(30_000, 75);
    const other = enriched("b2", { temperature: { value: 75 } });
    e.reading({ event: other, at: 31_000, position: { stream: "raw/1", offset: 1 } }, new Changes()); // b2 pending
    current = current.filter((r) => r.id !== "overtemperature");
    const out = new Changes();
    e.tick(32_000, out);
    expect(out.events.map((x) => [x.kind, x.alarm.deviceId])).toEqual([["cleared", "b1"]]);
    expect([...out.states.values()].map((s) => [s.deviceId, s.status])).toEqual([
      ["b2", "idle"],
      ["b1", "idle"],
    ]);
    expect(e.activeAlarms()).toEqual([]);
  });
});
