/** Test helpers for the simulator's tests (never imported by service code). */
import { type DeviceType, loadDeviceRegistry, parseDeviceRegistry } from "@iot/common/device-registry";
import type { JsonValue } from "@iot/common/telemetry";

export const registryPath = new URL("../../../config/device-registry.json", import.meta.url).pathname;
export const loadRegistry = () => loadDeviceRegistry(registryPath);

/** The JSON example under a README heading: the README's examples are the contract. */
export async function readmeExample(heading: string): Promise<Record<string, JsonValue>> {
  const readme = await Bun.file(new URL("../../../README.md", import.meta.url)).text();
  const at = readme.indexOf(`### ${heading}`);
  const m = /```json\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || !m) throw new Error(`README has no JSON example under "${heading}"`);
  return JSON.parse(m[1]!);
}

/** `group.key` → [min, max] for every value the registry bounds (components, phases or the group's `value`). */
export function registryRanges(type: DeviceType): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  for (const [group, spec] of Object.entries(type.measurements)) {
    const bounded = (key: string, lo?: number, hi?: number) =>
      lo !== undefined && hi !== undefined && out.set(`${group}.${key}`, [lo, hi]);
    if (spec.components) for (const [key, c] of Object.entries(spec.components)) bounded(key, c.min_value, c.max_value);
    else for (const key of spec.phases ?? ["value"]) bounded(key, spec.min_value, spec.max_value);
  }
  return out;
}

/** The shape of a JSON value: object keys (in order) and value types, not the values. */
export function shapeOf(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(shapeOf);
  if (v !== null && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shapeOf(x)]));
  return v === null ? "null" : typeof v;
}

/** Every number in a measurement set, as `group.key` → value. */
export function numbersOf(m: Record<string, Record<string, JsonValue>>): Array<[string, number]> {
  return Object.entries(m).flatMap(([g, group]) =>
    Object.entries(group).flatMap(([k, v]) => (typeof v === "number" ? [[`${g}.${k}`, v] as [string, number]] : [])),
  );
}

/** The real registry plus `water_pump`, a type no code knows about (it must flow through the generic model). */
export async function registryWithNewType() {
  const doc = JSON.parse(await Bun.file(registryPath).text());
  doc.device_types.water_pump = {
    name: "Water Pump",
    description: "a device type added to the registry, with no code for it",
    category: "fluid",
    measurements: {
      flow: { unit: "l/min", min_value: 0, max_value: 400 },
      pressure: { unit: "bar", phases: ["inlet", "outlet"], min_value: 0.5, max_value: 16 },
      motor: {
        components: {
          rpm: { min_value: 0, max_value: 3600 },
          running: { valid_values: [true, false] },
          mode: { valid_values: ["auto", "manual"] },
        },
      },
      runtime: { unit: "h" },
    },
  };
  return parseDeviceRegistry(doc);
}
