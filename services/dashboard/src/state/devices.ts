/**
 * Every device seen on the enriched stream: latest telemetry, data quality, recent series for charts
 * and the latest trend window per metric. Bounded: past `maxDevices` the device seen longest ago goes.
 */
import type { ApplicationSummary, DataQuality, EnrichedEvent, MeasurementGroup } from "@iot/common/telemetry";
import { eventTimeMs } from "../time";
import { createFieldNames, numericReadings } from "./readings";
import { createLayouts } from "./layouts";
import { createSeries, type Series } from "./series";
import { createTrends, type Trends } from "./trends";

/** Shared "group.component" names; the default fleet has 41. */
const MAX_FIELD_NAMES = 4_096;
/** What one device's latest readings may hold: a device can send up to the raw size limit, the page shows a table. */
export const LATEST_LIMITS = { groups: 32, fields: 32, textChars: 256 };

export interface DeviceState {
  id: string;
  type: string;
  typeName: string;
  /** Timestamp of the newest event (the device's clock, RFC 3339 UTC). */
  lastSeen: string;
  measurements?: Record<string, MeasurementGroup>;
  quality?: DataQuality;
  /** Whether the registrations enrichment attached were current. */
  registryCurrent: boolean;
  applications: ApplicationSummary[];
  series: Series;
  trends: Trends;
}

export interface DeviceStore {
  record(e: EnrichedEvent): void;
  get(id: string): DeviceState | undefined;
  /** Most recently seen first; `total` counts every match, `devices` at most `limit` of them. */
  list(type: string | undefined, limit: number): { devices: DeviceState[]; total: number };
  types(): string[];
  readonly size: number;
}

/**
 * Per device the store keeps what the pages show and nothing twice: the latest readings are updated in
 * place while a device reports the same fields, and what every device of a type repeats (field and
 * metric names, its applications, a clean data-quality verdict) is one shared value. The heap left
 * after a full collection sets the dashboard's peak RSS under load: 1,000 devices of the bench fleet
 * kept 14.6 MB as decoded blocks, a Float64Array per field and a map of trend points, 5.5 MB now
 * (bench/experiments/dashboard-state.ts).
 */
export function createDeviceStore(opts: { maxDevices: number; seriesPoints: number }): DeviceStore {
  const devices = new Map<string, DeviceState>(); // insertion order = least recently seen first
  const fieldName = createFieldNames(MAX_FIELD_NAMES);
  const applications = createSharedApplications(opts.maxDevices);
  const [fields, metrics] = [createLayouts(), createLayouts()];
  // A fleet larger than the limit turns devices over constantly: the one forgotten hands its series
  // arrays to the newcomer instead of leaving them to the garbage collector.
  const reuseOrCreateSeries = () => {
    if (devices.size < opts.maxDevices) return createSeries(opts.seriesPoints, fields);
    const [id, oldest] = devices.entries().next().value!;
    devices.delete(id);
    oldest.series.clear();
    return oldest.series;
  };

  return {
    record(e) {
      let d = devices.get(e.device_id);
      if (d) devices.delete(e.device_id);
      else
        d = {
          id: e.device_id,
          type: e.device_type,
          typeName: "",
          lastSeen: e.timestamp,
          registryCurrent: false,
          applications: [],
          series: reuseOrCreateSeries(),
          trends: createTrends(metrics),
        };
      devices.set(e.device_id, d);

      // A redelivered or late event may update the series and trends, never the "latest" fields.
      const newest = !(eventTimeMs(e.timestamp) < eventTimeMs(d.lastSeen));
      if (newest) {
        if (d.type !== e.device_type) d.type = e.device_type;
        if (d.typeName !== e.device_metadata.device_type_name) d.typeName = e.device_metadata.device_type_name;
        d.lastSeen = e.timestamp;
        d.registryCurrent = e.enrichment_info.app_registry_integration;
        d.applications = applications(e.device_type, e.application_registry.applications);
      }
      if (e.event_type === "telemetry") {
        if (newest) {
          d.measurements = boundedMeasurements(e.measurements, d.measurements);
          d.quality = sharedQuality(e.data_quality, d.quality);
        }
        d.series.add(eventTimeMs(e.timestamp), numericReadings(e.measurements, fieldName));
      } else {
        for (const p of e.trends) d.trends.add(p);
      }
    },
    get: (id) => devices.get(id),
    list(type, limit) {
      const out: DeviceState[] = [];
      let total = 0;
      for (const d of [...devices.values()].reverse()) {
        if (type !== undefined && d.type !== type) continue;
        total++;
        if (out.length < limit) out.push(d);
      }
      return { devices: out, total };
    },
    types: () => [...new Set([...devices.values()].map((d) => d.type))].sort(),
    get size() {
      return devices.size;
    },
  };
}

/**
 * The newest readings, cut to LATEST_LIMITS: extra groups and fields dropped, long or nested values
 * shortened. Written into `previous` when it has the same groups and fields in the same order.
 */
function boundedMeasurements(
  m: Record<string, MeasurementGroup>,
  previous: Record<string, MeasurementGroup> | undefined,
): Record<string, MeasurementGroup> {
  if (previous && sameFields(m, previous)) {
    for (const group in previous) {
      const kept = previous[group]!;
      const fields = m[group]!;
      for (const name in kept) {
        const v = boundedValue(fields[name]!);
        if (kept[name] !== v) kept[name] = v; // an equal string stays the one already kept
      }
    }
    return previous;
  }
  const out: Record<string, MeasurementGroup> = {};
  for (const [group, fields] of Object.entries(m).slice(0, LATEST_LIMITS.groups)) {
    const kept: MeasurementGroup = {};
    for (const [name, v] of Object.entries(fields).slice(0, LATEST_LIMITS.fields)) kept[name] = boundedValue(v);
    out[group] = kept;
  }
  return out;
}

function boundedValue(v: MeasurementGroup[string]): MeasurementGroup[string] {
  const text = typeof v === "string" ? v : v !== null && typeof v === "object" ? JSON.stringify(v) : undefined;
  if (text === undefined) return v;
  return text.length > LATEST_LIMITS.textChars ? `${text.slice(0, LATEST_LIMITS.textChars)}…` : text;
}

/** Whether `kept` has exactly the groups and fields (in order) that bounding `m` would keep. */
function sameFields(m: Record<string, MeasurementGroup>, kept: Record<string, MeasurementGroup>): boolean {
  const groups = Object.keys(kept);
  let g = 0;
  for (const group in m) {
    if (g === LATEST_LIMITS.groups) break;
    if (groups[g++] !== group) return false;
    const names = Object.keys(kept[group]!);
    let f = 0;
    for (const name in m[group]) {
      if (f === LATEST_LIMITS.fields) break;
      if (names[f++] !== name) return false;
    }
    if (f !== names.length) return false;
  }
  return g === groups.length;
}

/** One array per device type while its registrations stay the same (every device of a type has the same). */
function createSharedApplications(limit: number) {
  const byType = new Map<string, ApplicationSummary[]>();
  return (type: string, apps: ApplicationSummary[]): ApplicationSummary[] => {
    const known = byType.get(type);
    if (known && sameApplications(known, apps)) return known;
    if (!known && byType.size >= limit) byType.clear(); // device types are device-supplied
    byType.set(type, apps);
    return apps;
  };
}

const sameApplications = (a: ApplicationSummary[], b: ApplicationSummary[]) =>
  a.length === b.length &&
  a.every(
    (x, i) =>
      x.id === b[i]!.id &&
      x.name === b[i]!.name &&
      x.developer === b[i]!.developer &&
      x.platform === b[i]!.platform &&
      x.category === b[i]!.category &&
      x.status === b[i]!.status,
  );

const CLEAN: DataQuality = Object.freeze({ out_of_range: [], missing_groups: [] });

/** Most readings are clean: one shared verdict for them, and a device's own kept while it does not change. */
function sharedQuality(q: DataQuality, kept: DataQuality | undefined): DataQuality {
  if (q.out_of_range.length === 0 && q.missing_groups.length === 0) return CLEAN;
  if (kept && JSON.stringify(kept) === JSON.stringify(q)) return kept;
  return q;
}
