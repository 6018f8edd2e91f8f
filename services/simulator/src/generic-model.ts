/**
 * The model for a device type with no hand-written one: every measurement group the registry
 * declares, each number a slow random walk inside its min/max, each `valid_values` component one of
 * its values (changing now and then). A new type in config/device-registry.json flows with no code
 * change. A number without bounds walks in [0, 100] (or 100 wide from the one bound it has).
 * Anomalies push one number with both bounds outside its range for a sample.
 */
import type { Bounds, DeviceType } from "@iot/common/device-registry";
import type { JsonValue } from "@iot/common/telemetry";
import {
  clamp,
  type DeviceModel,
  type DeviceState,
  type Measurements,
  type ModelOptions,
  revert,
  round,
} from "./model";

type Field = { group: string; key: string } & (
  | { kind: "number"; lo: number; hi: number; bounded: boolean }
  | { kind: "choice"; values: JsonValue[] }
);

export interface GenericState extends DeviceState {
  numbers: Float64Array;
  choices: Uint16Array;
}

export function genericModel(type: DeviceType, options: ModelOptions): DeviceModel<GenericState> {
  const fields = fieldsOf(type);
  const numeric = fields.filter((f) => f.kind === "number");
  const bounded = numeric.flatMap((f, i) => (f.bounded ? [i] : []));
  const choices = fields.filter((f) => f.kind === "choice");
  return {
    create: (rng) => ({
      rng,
      anomalous: false,
      numbers: Float64Array.from(numeric, (f) => rng.between(f.lo + 0.3 * (f.hi - f.lo), f.hi - 0.3 * (f.hi - f.lo))),
      choices: Uint16Array.from(choices, (f) => Math.floor(rng.next() * f.values.length)),
    }),

    sample(s, _t, dt) {
      const rng = s.rng;
      const outlier = bounded.length > 0 && rng.chance(options.anomalyRate) ? rng.pick(bounded) : -1;
      s.anomalous = outlier >= 0;
      const out: Measurements = {};
      let n = 0;
      let c = 0;
      for (const f of fields) {
        const group = (out[f.group] ??= {});
        if (f.kind === "choice") {
          if (rng.chance(0.02)) s.choices[c] = Math.floor(rng.next() * f.values.length);
          group[f.key] = f.values[s.choices[c++]!]!;
          continue;
        }
        const span = f.hi - f.lo;
        const x = (s.numbers[n] = clamp(revert(s.numbers[n]!, f.lo + span / 2, span / 8, 1_800, dt, rng), f.lo, f.hi));
        const beyond = span * rng.between(0.05, 0.25);
        group[f.key] = round(n++ === outlier ? (rng.chance(0.5) ? f.hi + beyond : f.lo - beyond) : x, 2);
      }
      for (const [group, spec] of Object.entries(type.measurements))
        if (spec.unit !== undefined && out[group]) out[group].unit = spec.unit;
      return out;
    },
  };
}

function fieldsOf(type: DeviceType): Field[] {
  return Object.entries(type.measurements).flatMap(([group, spec]): Field[] => {
    if (spec.components) {
      return Object.entries(spec.components).map(([key, c]) =>
        Array.isArray(c.valid_values) && c.valid_values.length > 0
          ? { group, key, kind: "choice", values: c.valid_values as JsonValue[] }
          : numberField(group, key, c.min_value !== undefined || c.max_value !== undefined ? c : spec),
      );
    }
    return (spec.phases ?? ["value"]).map((key) => numberField(group, key, spec));
  });
}

function numberField(group: string, key: string, b: Bounds): Field {
  const lo = b.min_value ?? (b.max_value !== undefined ? b.max_value - 100 : 0);
  const hi = b.max_value ?? lo + 100;
  return { group, key, kind: "number", lo, hi, bounded: b.min_value !== undefined && b.max_value !== undefined };
}
