/**
 * Values outside the registry's ranges and declared groups a message lacks. Runs on every record:
 * the common case (nothing to flag) allocates nothing but the two empty lists.
 */
import type { DataQuality, DeviceEvent, OutOfRange } from "@iot/common/telemetry";
import type { DeviceProfile, RangeCheck } from "./device-profile";

export function assessQuality(e: DeviceEvent, profile: DeviceProfile): DataQuality {
  const out_of_range: OutOfRange[] = [];
  if (e.event_type === "trends") {
    for (const p of e.trends) {
      const c = profile.metricBounds.get(p.c);
      if (!c) continue;
      if (outside(p.min, c)) out_of_range.push(flag(`${p.c}.min`, p.min, c));
      if (outside(p.max, c)) out_of_range.push(flag(`${p.c}.max`, p.max, c));
    }
    return { out_of_range, missing_groups: [] };
  }
  const m = e.measurements;
  for (const c of profile.checks) {
    const value = m[c.group]?.[c.key];
    if (outside(value, c)) out_of_range.push(flag(c.field, value as number, c));
  }
  const missing_groups: string[] = [];
  for (const g of profile.groups) if (m[g] === undefined) missing_groups.push(g);
  return { out_of_range, missing_groups };
}

const outside = (value: unknown, c: RangeCheck): boolean =>
  typeof value === "number" && ((c.min !== undefined && value < c.min) || (c.max !== undefined && value > c.max));

const flag = (field: string, value: number, c: RangeCheck): OutOfRange => ({
  field,
  value,
  ...(c.min !== undefined && { min: c.min }),
  ...(c.max !== undefined && { max: c.max }),
});
