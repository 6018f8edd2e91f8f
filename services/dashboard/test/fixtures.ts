/** Events and configuration for the dashboard's tests: the README's shapes, with ids and times to vary. */
import type {
  ApplicationSummary,
  DeviceEvent,
  EnrichedEvent,
  TelemetryEvent,
  TrendsEvent,
} from "@iot/common/telemetry";
import { uniqueName } from "@iot/common/testing";
import { loadConfig } from "../src/config";

export const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 23)}000Z`;

export function telemetry(deviceId: string, atMs: number, volts = 117.27, frequency = 59.98): TelemetryEvent {
  return {
    device_id: deviceId,
    device_type: "smart_breaker",
    timestamp: iso(atMs),
    event_type: "telemetry",
    measurements: {
      voltage: { phase_a: volts, phase_b: volts - 4.93, phase_c: volts - 2.75, unit: "V" },
      current: { phase_a: 29.94, phase_b: 23.83, phase_c: 24.86, unit: "A" },
      power: { active: 8592.37, reactive: 2793.57, apparent: 9035.09, factor: 0.951, unit: "W" },
      frequency: { value: frequency, unit: "Hz" },
      temperature: { value: 34.92, unit: "°C" },
      status: { breaker: 1, position: 1, communication: 1 },
    },
  };
}

export function trends(deviceId: string, windowStartS: number): TrendsEvent {
  return {
    device_id: deviceId,
    device_type: "smart_breaker",
    timestamp: iso(windowStartS * 1000),
    event_type: "trends",
    trends: [
      { c: "voltage_phase_a", v: 117.27, avg: 118.5, min: 115.2, max: 122.1, t: windowStartS },
      { c: "temperature_value", v: 34.9, avg: 34.1, min: 33.2, max: 35.0, t: windowStartS },
    ],
  };
}

export function enriched(e: DeviceEvent, applications: ApplicationSummary[] = [], current = true): EnrichedEvent {
  const outOfRange =
    e.event_type === "telemetry" &&
    typeof e.measurements.frequency?.value === "number" &&
    e.measurements.frequency.value > 61;
  return {
    ...e,
    device_metadata: {
      device_type: e.device_type,
      device_type_name: "Smart Circuit Breaker",
      device_type_description: "Intelligent circuit breaker with monitoring and protection capabilities",
      device_category: "electrical_protection",
      capabilities: ["voltage_monitoring"],
      data_format: "json",
      update_frequency: "5_seconds",
      retention_policy: "30_days",
    },
    application_registry: {
      device_type: e.device_type,
      registered_applications_count: applications.length,
      applications,
    },
    enrichment_info: {
      enriched_at: iso(Date.now()),
      enrichment_service: "iot-enrichment-service",
      enrichment_version: "1.0.0",
      device_type_detected: e.device_type,
      app_registry_integration: current,
    },
    data_quality: {
      out_of_range:
        outOfRange && e.event_type === "telemetry"
          ? [{ field: "frequency.value", value: e.measurements.frequency!.value as number, min: 59, max: 61 }]
          : [],
      missing_groups: [],
    },
  } as EnrichedEvent;
}

export const app = (name: string): ApplicationSummary => ({
  id: crypto.randomUUID(),
  name,
  developer: "IoT Solutions Inc.",
  platform: "web",
  category: "Monitoring",
  status: "active",
});

/** A configuration on unique topics and groups, nothing probed unless asked. */
export function testConfig(env: Record<string, string> = {}) {
  return loadConfig({
    DASHBOARD_PORT: "0",
    TOPIC_RAW: uniqueName("raw"),
    TOPIC_ENRICHED: uniqueName("enriched"),
    TOPIC_DLQ: uniqueName("dlq"),
    KAFKA_PARTITIONS: "2",
    DASHBOARD_GROUP: uniqueName("dashboard"),
    DASHBOARD_FROM_BEGINNING: "true",
    DASHBOARD_STATS_INTERVAL_MS: "200",
    REGISTRY_URL: "http://127.0.0.1:9",
    SIMULATOR_URL: "http://127.0.0.1:9",
    ENRICHMENT_URL: "http://127.0.0.1:9",
    ...env,
  });
}
