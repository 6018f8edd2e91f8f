import { expect, test } from "bun:test";
import { enriched, telemetry, trends } from "../../test/fixtures";
import { createDeviceStore, LATEST_LIMITS } from "./devices";

const t0 = Date.UTC(2025, 7, 19, 17, 40, 0);

test("keeps the latest readings and a series per device, most recently seen first", () => {
  const store = createDeviceStore({ maxDevices: 10, seriesPoints: 5 });
  store.record(enriched(telemetry("a", t0, 110)));
  store.record(enriched(telemetry("b", t0, 120)));
  store.record(enriched(telemetry("a", t0 + 5_000, 111)));
  expect(store.list(undefined, 10).devices.map((d) => d.id)).toEqual(["a", "b"]);
  const a = store.get("a")!;
  expect(a.measurements?.voltage?.phase_a).toBe(111);
  expect(a.series.column("voltage.phase_a")).toEqual([110, 111]);
  expect(a.typeName).toBe("Smart Circuit Breaker");
});

test("a late or redelivered event never replaces newer readings", () => {
  const store = createDeviceStore({ maxDevices: 10, seriesPoints: 5 });
  store.record(enriched(telemetry("a", t0 + 5_000, 111)));
  store.record(enriched(telemetry("a", t0, 99), [], false));
  const a = store.get("a")!;
  expect(a.measurements?.voltage?.phase_a).toBe(111);
  expect(a.registryCurrent).toBe(true);
  expect(a.series.times()).toEqual([t0 + 5_000]);
});

test("forgets the device seen longest ago past its limit, and filters by type", () => {
  const store = createDeviceStore({ maxDevices: 2, seriesPoints: 5 });
  for (const id of ["a", "b", "c"]) store.record(enriched(telemetry(id, t0, 110)));
  expect(store.get("a")).toBeUndefined();
  expect(store.size).toBe(2);
  expect(store.list("smart_breaker", 1)).toMatchObject({ total: 2, devices: [{ id: "c" }] });
  expect(store.list("smart_meter", 10).total).toBe(0);
  expect(store.types()).toEqual(["smart_breaker"]);
});

test("keeps the newest trend window of each metric", () => {
  const store = createDeviceStore({ maxDevices: 2, seriesPoints: 5 });
  store.record(enriched(trends("a", 1_755_625_500)));
  store.record(enriched(trends("a", 1_755_625_200)));
  const a = store.get("a")!;
  expect(
    a.trends
      .points()
      .map((p) => p.c)
      .sort(),
  ).toEqual(["temperature_value", "voltage_phase_a"]);
  expect(a.trends.get("voltage_phase_a")?.t).toBe(1_755_625_500);
  expect(a.measurements).toBeUndefined();
});

test("a device's latest readings are bounded however much it sends", () => {
  const store = createDeviceStore({ maxDevices: 10, seriesPoints: 5 });
  const e = enriched(telemetry("huge", t0, 110));
  if (e.event_type !== "telemetry") throw new Error("expected telemetry");
  const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`f${i}`, i]));
  for (let g = 0; g < 100; g++)
    e.measurements[`group_${g}`] = { ...wide, note: "x".repeat(100_000), nested: { deep: [1, 2, 3] } };
  store.record(e);
  const kept = store.get("huge")!.measurements!;
  expect(Object.keys(kept)).toHaveLength(LATEST_LIMITS.groups);
  for (const group of Object.values(kept)) expect(Object.keys(group).length).toBeLessThanOrEqual(LATEST_LIMITS.fields);
  expect(JSON.stringify(kept).length).toBeLessThan(
    LATEST_LIMITS.groups * LATEST_LIMITS.fields * (LATEST_LIMITS.textChars + 20),
  );
  expect(kept.voltage?.phase_a).toBe(110);
});
