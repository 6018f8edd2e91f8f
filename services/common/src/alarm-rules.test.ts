import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { holds, updateIntervalMs } from "./alarm-rules";
import { loadDeviceRegistry, parseDeviceRegistry, RegistryFileError, watchDeviceRegistry } from "./device-registry";
import { createLogger } from "./logger";

const shipped = new URL("../../../config/device-registry.json", import.meta.url).pathname;
const doc = async () => JSON.parse(await Bun.file(shipped).text());
const problemsOf = (d: unknown) => {
  try {
    parseDeviceRegistry(d);
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryFileError);
    return (e as Error).message;
  }
  throw new Error("expected the file to be refused");
};

describe("alarm rules in the device registry", () => {
  test("the shipped rules cover the three types: trip, overcurrent, overtemperature, frequency, ranges, silence", async () => {
    const r = await loadDeviceRegistry(shipped);
    const ids = (t: string) => r.alarmRules.get(t)!.map((x) => x.id);
    expect(ids("smart_breaker")).toEqual(
      expect.arrayContaining([
        "breaker_tripped",
        "overcurrent_phase_a",
        "overtemperature",
        "frequency_out_of_band",
        "silent",
      ]),
    );
    expect(ids("smart_meter")).toEqual(expect.arrayContaining(["low_power_factor", "silent"]));
    expect(ids("environmental_sensor")).toEqual(
      expect.arrayContaining(["temperature_out_of_range", "humidity_high", "silent"]),
    );
    // The simulator's breaker reports an open breaker as status.breaker = 0 (breaker-model.ts).
    expect(r.alarmRules.get("smart_breaker")![0]).toMatchObject({
      id: "breaker_tripped",
      metric: "status.breaker",
      condition: { op: "==", value: 0 },
      forMs: 0,
      severity: "critical",
    });
    // Silence is N × the type's update interval: 3 × 5 s for breakers.
    expect(r.alarmRules.get("smart_breaker")!.find((x) => x.id === "silent")).toMatchObject({
      kind: "silent",
      afterMs: 15_000,
    });
  });

  test("an unknown metric, a non-numeric threshold, an unknown severity and a duplicate id are each named with rule and field", async () => {
    const d = await doc();
    const rules = d.device_types.smart_breaker.alarm_rules;
    rules.push({
      id: "bad_metric",
      metric: "pressure.value",
      condition: { op: ">", value: 1 },
      severity: "major",
      message: "x",
    });
    rules.push({
      id: "bad_threshold",
      metric: "temperature.value",
      condition: { op: ">", value: "80" },
      severity: "major",
      message: "x",
    });
    rules.push({
      id: "bad_severity",
      metric: "temperature.value",
      condition: { op: ">", value: 80 },
      severity: "urgent",
      message: "x",
    });
    rules.push({ ...rules[0] });
    const msg = problemsOf(d);
    expect(msg).toContain(
      'device_types.smart_breaker.alarm_rules[bad_metric].metric: smart_breaker has no metric "pressure.value"',
    );
    expect(msg).toContain("device_types.smart_breaker.alarm_rules[bad_threshold].condition.value: expected a number");
    expect(msg).toContain('device_types.smart_breaker.alarm_rules[bad_severity].severity: unknown severity "urgent"');
    expect(msg).toContain(
      'device_types.smart_breaker.alarm_rules[breaker_tripped].id: duplicate rule id "breaker_tripped"',
    );
  });

  test("operators, templates, silence without an interval and escalation steps are checked too", async () => {
    const d = await doc();
    d.device_types.smart_meter.alarm_rules = [
      { id: "a", metric: "demand.value", condition: { op: "~", value: 1 }, severity: "minor", message: "{nope}" },
      {
        id: "b",
        metric: "demand.value",
        condition: { op: "outside", min: 5, max: 1 },
        severity: "minor",
        message: "m",
        escalate: [{ condition: { op: ">", value: 9 }, severity: "extreme" }],
      },
    ];
    d.device_types.environmental_sensor.update_frequency = "often";
    const msg = problemsOf(d);
    expect(msg).toContain('alarm_rules[a].condition.op: unknown operator "~"');
    expect(msg).toContain("alarm_rules[a].message: unknown placeholder {nope}");
    expect(msg).toContain("alarm_rules[b].condition: min is greater than max");
    expect(msg).toContain("alarm_rules[b].escalate[0].severity: unknown severity");
    expect(msg).toContain("environmental_sensor.alarm_rules[silent].kind: silent needs the type's update_frequency");
  });

  test("a broken rule edit keeps the last good rules in use", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "rules-")), "device-registry.json");
    const d = await doc();
    writeFileSync(path, JSON.stringify(d));
    const w = await watchDeviceRegistry(path, createLogger("test", { level: "error" }));
    try {
      const good = w.get();
      d.device_types.smart_breaker.alarm_rules[0].severity = "catastrophic";
      writeFileSync(path, JSON.stringify(d));
      await w.reload();
      expect(w.get()).toBe(good);
      expect(w.get().alarmRules.get("smart_breaker")![0]!.severity).toBe("critical");
    } finally {
      w.close();
    }
  });

  test("conditions and update intervals", () => {
    expect(holds({ op: "outside", min: 59.5, max: 60.5 }, 61)).toBe(true);
    expect(holds({ op: "inside", min: 59.7, max: 60.3 }, 60.4)).toBe(false);
    expect(holds({ op: "==", value: 0 }, 0)).toBe(true);
    expect(holds({ op: "<=", value: 0.8 }, 0.81)).toBe(false);
    expect([
      updateIntervalMs("5_seconds"),
      updateIntervalMs("1_minute"),
      updateIntervalMs("2_hours"),
      updateIntervalMs("daily"),
    ]).toEqual([5_000, 60_000, 7_200_000, undefined]);
  });
});
