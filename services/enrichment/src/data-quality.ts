/** Values outside the registry's ranges and declared groups a message lacks. */
import type { DataQuality, DeviceEvent, OutOfRange } from "@iot/common/telemetry";
import type { DeviceProfile, RangeCheck } from "./device-profile";

export function assessQuality(e: DeviceEvent, profile: DeviceProfile): DataQuality {
  const out_of_range: OutOfRange[] = [];
  const flag = (field: string, value: unknown, c: RangeCheck) => {
    if (typeof value !== "number") return;
    if ((c.min !== undefined && value < c.min) || (c.max !== undefined && value > c.max)) {
      out_of_range.push({
        field,
        value,
        ...(c.min !== undefined && { min: c.min }),
        ...(c.max !== undefined && { max: c.max }),
      });
    }
  };
  if (e.event_type === "trends") {
    for (const p of e.trends) {
      const c = profile.metricBounds.get(p.c);
      if (!c) continue;
      flag(`${p.c}.min`, p.min, c);
      flag(`${p.c}.max`, p.max, c);
    }
    return { out_of_range, missing_groups: [] };
  }
  const m = e.measurements;
  for (const c of profile.checks) {
    const group = m[c.group];
    if (group === undefined) continue;
    const key = c.component ?? "value";
    flag(`${c.group}.${key}`, group[key], c);
  }
  return { out_of_range, missing_groups: profile.groups.filter((g) => m[g] === undefined) };
}
