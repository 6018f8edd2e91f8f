/** Reading measurement groups the same way for charts, tables and summaries, whatever the device type. */
import type { MeasurementGroup } from "@iot/common/telemetry";

/** Every finite number in the groups, as ["group.component", value]. */
export function numericReadings(measurements: Record<string, MeasurementGroup>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [group, fields] of Object.entries(measurements)) {
    for (const [name, v] of Object.entries(fields))
      if (typeof v === "number" && Number.isFinite(v)) out.push([`${group}.${name}`, v]);
  }
  return out;
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
