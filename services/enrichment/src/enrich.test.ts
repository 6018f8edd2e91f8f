import { describe, expect, test } from "bun:test";
import { decodeDeviceEvent } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import type { ApplicationSummary, DeviceEvent, TelemetryEvent } from "@iot/common/telemetry";
import { buildProfiles } from "./device-profile";
import { detectDeviceType } from "./detect-device-type";
import { enrich, type EnrichContext } from "./enrich";

const readme = await Bun.file(new URL("../../../README.md", import.meta.url)).text();
const example = (heading: string) =>
  JSON.parse(/```json\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(`### ${heading}`)))![1]!);
const profiles = buildProfiles(
  await loadDeviceRegistry(new URL("../../../config/device-registry.json", import.meta.url).pathname),
);
const dashboardApp: ApplicationSummary = {
  id: "91dd8f4d-350c-42a2-8c07-cc0e7ac7ad98",
  name: "Smart Breaker Dashboard",
  developer: "IoT Solutions Inc.",
  platform: "web",
  category: "Monitoring",
  status: "active",
};
const ctx = (current = true): EnrichContext => ({
  profiles,
  registrations: (t) => ({ applications: t === "smart_breaker" ? [dashboardApp] : [], current }),
  service: "iot-enrichment-service",
  version: "1.0.0",
  enrichedAt: "2025-08-19T17:40:37.601093Z",
});

describe("enrich", () => {
  test("gives the README's enriched example for its input", () => {
    const expected = example("Enriched message");
    const { device_metadata, application_registry, enrichment_info, data_quality, ...raw } = expected;
    const out = enrich(decodeDeviceEvent(new TextEncoder().encode(JSON.stringify(raw))), ctx());
    // The README abbreviates the capability list; everything else is exact.
    expect({ ...out, device_metadata: { ...out.device_metadata, capabilities: device_metadata.capabilities } }).toEqual(
      expected,
    );
    expect(out.device_metadata.capabilities).toEqual(expect.arrayContaining(device_metadata.capabilities));
  });

  test("marks registrations not current when the registry is unreachable", () => {
    const out = enrich(example("Raw message (telemetry)"), ctx(false));
    expect(out.enrichment_info.app_registry_integration).toBe(false);
    expect(out.application_registry.applications).toEqual([dashboardApp]);
  });

  test("a complete in-range breaker reading has no quality flags", () => {
    const out = enrich(example("Raw message (telemetry)"), ctx());
    expect(out.data_quality).toEqual({ out_of_range: [], missing_groups: [] });
    expect(out.application_registry).toEqual({
      device_type: "smart_breaker",
      registered_applications_count: 1,
      applications: [dashboardApp],
    });
  });

  test("flags out-of-range components and trend extremes against the registry", () => {
    const raw = example("Raw message (telemetry)") as TelemetryEvent;
    raw.measurements.voltage!.phase_b = 131.5;
    raw.measurements.power!.factor = 0.5;
    raw.measurements.status!.breaker = 2;
    const flagged = enrich(raw, ctx()).data_quality.out_of_range;
    expect(flagged).toEqual([
      { field: "voltage.phase_b", value: 131.5, min: 110, max: 130 },
      { field: "power.factor", value: 0.5, min: 0.7, max: 1 },
      { field: "status.breaker", value: 2, min: 0, max: 1 },
    ]);
    const trends = example("Trends message (5-minute aggregates)");
    trends.trends[0].max = 140;
    expect(enrich(trends, ctx()).data_quality.out_of_range).toEqual([
      { field: "voltage_phase_a.max", value: 140, min: 110, max: 130 },
    ]);
  });

  test("a device type the registry does not know still flows, described as unregistered", () => {
    const e: DeviceEvent = {
      device_id: "p-1",
      device_type: "water_pump",
      timestamp: "2026-01-01T00:00:00.000000Z",
      event_type: "telemetry",
      measurements: { flow: { value: 3 } },
    };
    const out = enrich(e, ctx());
    expect(out.device_metadata.device_category).toBe("unregistered");
    expect(out.enrichment_info.device_type_detected).toBe("water_pump");
    expect(out.data_quality).toEqual({ out_of_range: [], missing_groups: [] });
  });
});

describe("device type detection", () => {
  const telemetry = (device_type: string, groups: string[]): DeviceEvent => ({
    device_id: "d",
    device_type,
    timestamp: "2026-01-01T00:00:00.000000Z",
    event_type: "telemetry",
    measurements: Object.fromEntries(groups.map((g) => [g, { value: 1 }])),
  });

  test("trusts a valid device_type", () =>
    expect(detectDeviceType(telemetry("smart_meter", ["voltage"]), profiles)).toBe("smart_meter"));
  test("infers from measurement groups when device_type is missing or invalid", () => {
    expect(detectDeviceType(telemetry("", ["voltage", "current", "power"]), profiles)).toBe("smart_breaker");
    expect(detectDeviceType(telemetry("Bad Type!", ["energy", "demand"]), profiles)).toBe("smart_meter");
    expect(detectDeviceType(telemetry("", ["humidity", "pressure"]), profiles)).toBe("environmental_sensor");
  });
  test("infers trends from metric names", () => {
    const e: DeviceEvent = {
      device_id: "d",
      device_type: "",
      timestamp: "2026-01-01T00:00:00.000000Z",
      event_type: "trends",
      trends: [{ c: "humidity", v: 1, avg: 1, min: 1, max: 1, t: 0 }],
    };
    expect(detectDeviceType(e, profiles)).toBe("environmental_sensor");
  });
  test("an ambiguous or unmatched event is unknown", () => {
    expect(detectDeviceType(telemetry("", ["temperature"]), profiles)).toBe("unknown");
    expect(detectDeviceType(telemetry("", ["flow"]), profiles)).toBe("unknown");
  });
});
