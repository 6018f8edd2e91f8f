import { expect, test } from "bun:test";
import { breaker, keyReadings, qualityFlags } from "./readings";

test("key readings work for any device type: values, phases, or a group's first number", () => {
  expect(
    keyReadings({ energy: { value: 1234.5, unit: "kWh" }, power_factor: { value: 0.93, unit: "dimensionless" } }).value,
  ).toBe(
    `<span class="reading">energy 1,234.5 kWh</span> <span class="reading">power_factor 0.93 dimensionless</span> `,
  );
  expect(
    keyReadings({ voltage: { phase_a: 1, phase_b: 2, unit: "V" }, power: { active: 5, factor: 0.9, unit: "W" } }).value,
  ).toBe(`<span class="reading">voltage 1 / 2 V</span> <span class="reading">power active 5 W</span> `);
  expect(keyReadings({ status: { breaker: 1 } }).value).toContain(`class="absent"`);
});

test("breaker state only where the device reports one; quality flags say what is wrong", () => {
  expect(breaker({ status: { breaker: 0 } }).value).toBe(`<span class="breaker open">open</span>`);
  expect(breaker({ temperature: { value: 20, unit: "°C" } }).value).toContain(`class="absent"`);
  expect(qualityFlags({ out_of_range: [], missing_groups: [] }).value).toBe(`<span class="ok">ok</span>`);
  const flags = qualityFlags({
    out_of_range: [{ field: "frequency.value", value: 61.4, min: 59, max: 61 }],
    missing_groups: ["power", "status"],
  }).value;
  expect(flags).toContain(`title="min 59 max 61">frequency.value 61.4 out of range</span>`);
  expect(flags).toContain("missing: power, status");
});
