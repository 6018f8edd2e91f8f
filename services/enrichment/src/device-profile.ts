/**
 * What enrichment needs of one device type, computed once per registry load instead of per
 * message: its metadata block and the range checks for its measurement groups.
 */
import type { DeviceRegistry, DeviceType, MeasurementSpec } from "@iot/common/device-registry";
import type { DeviceMetadata } from "@iot/common/telemetry";

export interface RangeCheck {
  group: string;
  /** null: the group's single `value`. */
  component: string | null;
  /** The value's key in its group: the component, or `value`. */
  key: string;
  /** How a flag names it: `group.key`. */
  field: string;
  min?: number;
  max?: number;
}

export interface DeviceProfile {
  metadata: DeviceMetadata;
  groups: string[];
  checks: RangeCheck[];
  /** Trend metric name (group_component) -> its bounds. */
  metricBounds: Map<string, RangeCheck>;
}

export type Profiles = Map<string, DeviceProfile>;

export function buildProfiles(registry: DeviceRegistry): Profiles {
  return new Map([...registry.types.values()].map((t) => [t.id, profileOf(t)]));
}

/** A device type the registry does not know still flows, described as such. */
export function unregisteredProfile(deviceType: string): DeviceProfile {
  return {
    metadata: {
      device_type: deviceType,
      device_type_name: deviceType,
      device_type_description: "Device type not in the device registry",
      device_category: "unregistered",
      capabilities: [],
      data_format: "",
      update_frequency: "",
      retention_policy: "",
    },
    groups: [],
    checks: [],
    metricBounds: new Map(),
  };
}

function profileOf(t: DeviceType): DeviceProfile {
  const checks = Object.entries(t.measurements).flatMap(([group, spec]) => checksOf(group, spec));
  return {
    metadata: {
      device_type: t.id,
      device_type_name: t.name,
      device_type_description: t.description,
      device_category: t.category,
      capabilities: t.capabilities,
      data_format: t.data_format,
      update_frequency: t.update_frequency,
      retention_policy: t.retention_policy,
    },
    groups: Object.keys(t.measurements),
    checks,
    metricBounds: new Map(checks.map((c) => [c.component === null ? c.group : `${c.group}_${c.component}`, c])),
  };
}

function checksOf(group: string, spec: MeasurementSpec): RangeCheck[] {
  const bounded = (
    component: string | null,
    b: { min_value?: number; max_value?: number; valid_values?: unknown[] },
  ): RangeCheck[] => {
    const valid = (b.valid_values ?? []).filter((v): v is number => typeof v === "number");
    const min = b.min_value ?? (valid.length ? Math.min(...valid) : undefined);
    const max = b.max_value ?? (valid.length ? Math.max(...valid) : undefined);
    return min === undefined && max === undefined
      ? []
      : [
          {
            group,
            component,
            key: component ?? "value",
            field: `${group}.${component ?? "value"}`,
            ...(min !== undefined && { min }),
            ...(max !== undefined && { max }),
          },
        ];
  };
  if (spec.components) return Object.entries(spec.components).flatMap(([c, b]) => bounded(c, b));
  if (spec.phases) return spec.phases.flatMap((p) => bounded(p, spec));
  return bounded(null, spec);
}
