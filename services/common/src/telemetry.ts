/**
 * The JSON shapes on the wire (the README's "Messages" section is the contract): what devices publish to
 * `iot.raw` and what enrichment publishes to `iot.enriched`. Protobuf carries the same data typed.
 */

/** One measurement group, e.g. {"phase_a": 117.2, "phase_b": 118.0, "phase_c": 116.9, "unit": "V"}. */
export type MeasurementGroup = Record<string, JsonValue>;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

export interface TelemetryEvent {
  device_id: string;
  device_type: string;
  /** RFC 3339 UTC with microseconds: "2025-08-19T17:40:37.594176Z". */
  timestamp: string;
  event_type: "telemetry";
  measurements: Record<string, MeasurementGroup>;
}

/** Aggregates of one metric over a wall-clock-aligned window of published samples. */
export interface TrendPoint {
  /** Metric: group and component joined by "_", e.g. "voltage_phase_a". */
  c: string;
  /** The last value published in the window. */
  v: number;
  avg: number;
  min: number;
  max: number;
  /** Window start, epoch seconds. */
  t: number;
}

export interface TrendsEvent {
  device_id: string;
  device_type: string;
  /** The window start. */
  timestamp: string;
  event_type: "trends";
  trends: TrendPoint[];
}

export type DeviceEvent = TelemetryEvent | TrendsEvent;
export type EventType = DeviceEvent["event_type"];

export interface DeviceMetadata {
  device_type: string;
  device_type_name: string;
  device_type_description: string;
  device_category: string;
  capabilities: string[];
  data_format: string;
  update_frequency: string;
  retention_policy: string;
}

/** What downstream may see of a registration: never its api key or contact e-mail. */
export interface ApplicationSummary {
  id: string;
  name: string;
  developer: string;
  platform: string;
  category: string;
  status: string;
}

export interface ApplicationRegistryBlock {
  device_type: string;
  registered_applications_count: number;
  applications: ApplicationSummary[];
}

export interface EnrichmentInfo {
  enriched_at: string;
  enrichment_service: string;
  enrichment_version: string;
  device_type_detected: string;
  /** True only when the registrations used were current. */
  app_registry_integration: boolean;
}

export interface OutOfRange {
  /** Group, or group.component: "voltage.phase_a". */
  field: string;
  value: number;
  min?: number;
  max?: number;
}

export interface DataQuality {
  out_of_range: OutOfRange[];
  missing_groups: string[];
}

export interface Enrichment {
  device_metadata: DeviceMetadata;
  application_registry: ApplicationRegistryBlock;
  enrichment_info: EnrichmentInfo;
  data_quality: DataQuality;
}

export type EnrichedEvent = DeviceEvent & Enrichment;
