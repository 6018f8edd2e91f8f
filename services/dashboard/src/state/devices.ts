/**
 * Every device seen on the enriched stream: latest telemetry, data quality, recent series for charts
 * and the latest trend window per metric. Bounded: past `maxDevices` the device seen longest ago goes.
 */
import type {
  ApplicationSummary,
  DataQuality,
  EnrichedEvent,
  MeasurementGroup,
  TrendPoint,
} from "@iot/common/telemetry";
import { eventTimeMs } from "../time";
import { numericReadings } from "./readings";
import { createSeries, type Series } from "./series";

const MAX_TREND_METRICS = 64;
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
  trends: Map<string, TrendPoint>;
}

export interface DeviceStore {
  record(e: EnrichedEvent): void;
  get(id: string): DeviceState | undefined;
  /** Most recently seen first; `total` counts every match, `devices` at most `limit` of them. */
  list(type: string | undefined, limit: number): { devices: DeviceState[]; total: number };
  types(): string[];
  readonly size: number;
}

export function createDeviceStore(opts: { maxDevices: number; seriesPoints: number }): DeviceStore {
  const devices = new Map<string, DeviceState>(); // insertion order = least recently seen first
  // A fleet larger than the limit turns devices over constantly: the one forgotten hands its series
  // arrays to the newcomer instead of leaving them to the garbage collector.
  const reuseOrCreateSeries = () => {
    if (devices.size < opts.maxDevices) return createSeries(opts.seriesPoints);
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
          trends: new Map(),
        };
      devices.set(e.device_id, d);

      // A redelivered or late event may update the series and trends, never the "latest" fields.
      const newest = !(eventTimeMs(e.timestamp) < eventTimeMs(d.lastSeen));
      if (newest) {
        d.type = e.device_type;
        d.typeName = e.device_metadata.device_type_name;
        d.lastSeen = e.timestamp;
        d.registryCurrent = e.enrichment_info.app_registry_integration;
        d.applications = e.application_registry.applications;
      }
      if (e.event_type === "telemetry") {
        if (newest) {
          d.measurements = boundedMeasurements(e.measurements);
          d.quality = e.data_quality;
        }
        d.series.add(eventTimeMs(e.timestamp), numericReadings(e.measurements));
      } else {
        for (const p of e.trends) {
          const known = d.trends.get(p.c);
          if (known ? p.t >= known.t : d.trends.size < MAX_TREND_METRICS) d.trends.set(p.c, p);
        }
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

/** The newest readings, cut to LATEST_LIMITS: extra groups and fields dropped, long or nested values shortened. */
function boundedMeasurements(m: Record<string, MeasurementGroup>): Record<string, MeasurementGroup> {
  const out: Record<string, MeasurementGroup> = {};
  for (const [group, fields] of Object.entries(m).slice(0, LATEST_LIMITS.groups)) {
    const kept: MeasurementGroup = {};
    for (const [name, v] of Object.entries(fields).slice(0, LATEST_LIMITS.fields)) {
      const text = typeof v === "string" ? v : v !== null && typeof v === "object" ? JSON.stringify(v) : undefined;
      kept[name] =
        text === undefined
          ? v
          : text.length > LATEST_LIMITS.textChars
            ? `${text.slice(0, LATEST_LIMITS.textChars)}…`
            : text;
    }
    out[group] = kept;
  }
  return out;
}
