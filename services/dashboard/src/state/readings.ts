/** Reading measurement groups the same way for charts, tables and summaries, whatever the device type. */
import type { MeasurementGroup } from "@iot/common/telemetry";

/** Every finite number in the groups, as ["group.component", value]; `fieldName` may hand out shared strings. */
export function numericReadings(
  measurements: Record<string, MeasurementGroup>,
  fieldName: (group: string, name: string) => string = (group, name) => `${group}.${name}`,
): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [group, fields] of Object.entries(measurements)) {
    for (const [name, v] of Object.entries(fields))
      if (typeof v === "number" && Number.isFinite(v)) out.push([fieldName(group, name), v]);
  }
  return out;
}

/**
 * "group.component" names shared by every device: a fleet reports a few dozen, and each device's
 * series would otherwise hold its own copies. Past `limit` names (device-chosen, so unbounded) new
 * ones are not kept.
 */
export function createFieldNames(limit: number) {
  const groups = new Map<string, Map<string, string>>();
  let size = 0;
  return (group: string, name: string): string => {
    const known = groups.get(group)?.get(name);
    if (known !== undefined) return known;
    const joined = `${group}.${name}`;
    if (size >= limit) return joined;
    size++;
    const names = groups.get(group) ?? new Map<string, string>();
    groups.set(group, names.set(name, joined));
    return joined;
  };
}

export const unitOf = (group: MeasurementGroup | undefined): string | undefined =>
  typeof group?.unit === "string" ? group.unit : undefined;

/** "closed" / "open" from status.breaker (1 = closed, as the device registry defines it); absent otherwise. */
export function breakerState(
  measurements: Record<string, MeasurementGroup> | undefined,
): "closed" | "open" | undefined {
  const v = measurements?.status?.breaker;
  return v === 1 || v === true ? "closed" : v === 0 || v === false ? "open" : undefined;
}
