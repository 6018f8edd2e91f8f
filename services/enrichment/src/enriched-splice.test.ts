/**
 * The pipeline's spliced encoding (the constant blocks encoded once) against the plain encoder, on
 * the simulator's events for every device type in the registry, anomalies and trends included.
 */
import { describe, expect, test } from "bun:test";
import {
  createEnrichedEncoder,
  decodeDeviceEvent,
  decodeEnrichedEvent,
  encodeDeviceEvent,
  encodeEnrichedEvent,
  PAYLOAD_FORMATS,
} from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import type { ApplicationSummary, DeviceEvent } from "@iot/common/telemetry";
import { createFleet } from "../../simulator/src/fleet";
import { buildProfiles } from "./device-profile";
import { type EnrichContext, enrich, enrichmentOf } from "./enrich";

const registry = await loadDeviceRegistry(new URL("../../../config/device-registry.json", import.meta.url).pathname);
const profiles = buildProfiles(registry);
const types = [...registry.types.keys()];

function fleetEvents(): DeviceEvent[] {
  const startMs = Date.UTC(2026, 0, 1, 0, 2, 30); // half a trends window before a boundary: trends too
  const fleet = createFleet({
    devices: types.map((type) => ({ type, count: 3 })),
    registry,
    seed: "splice",
    intervalMs: 5_000,
    trendsIntervalSec: 300,
    burst: false,
    model: { anomalyRate: 0.2, recloseSeconds: 30 },
    startMs,
  });
  const events: DeviceEvent[] = [];
  fleet.advance(startMs + 60 * 5_000, (e) => events.push(e) > 0);
  // Devices that name a type the registry does not know, or none, still flow.
  events.push({
    device_id: "pump-1",
    device_type: "water_pump",
    timestamp: "2026-01-01T00:00:00.000000Z",
    event_type: "telemetry",
    measurements: { flow: { value: 3 } },
  });
  events.push({
    device_id: "anon-1",
    device_type: "",
    timestamp: "2026-01-01T00:00:00.000000Z",
    event_type: "telemetry",
    measurements: { humidity: { value: 40 }, pressure: { value: 1013 } },
  });
  return events;
}

const app = (i: number): ApplicationSummary => ({
  id: `00000000-0000-4000-8000-00000000000${i}`,
  name: `App ${i}`,
  developer: "Dev",
  platform: "web",
  category: "Monitoring",
  status: "active",
});

/** Registrations as enrichment holds them: one list per type, replaced (not mutated) on a change. */
function registrations(version: number) {
  const byType = new Map(types.map((t, i) => [t, Array.from({ length: (i + version) % 3 }, (_, j) => app(j))]));
  return (t: string) => ({ applications: byType.get(t) ?? [], current: version % 2 === 0 });
}

const context = (version: number, enrichedAt: string): EnrichContext => ({
  profiles,
  registrations: registrations(version),
  service: "iot-enrichment-service",
  version: "1.0.0",
  enrichedAt,
});

describe.each(PAYLOAD_FORMATS)("spliced %s output", (format) => {
  const events = fleetEvents();

  test("covers every device type, telemetry and trends, in and out of range", () => {
    const outs = events.map((e) => enrich(e, context(0, "2026-01-01T00:05:00.000000Z")));
    expect(new Set(outs.map((o) => o.enrichment_info.device_type_detected))).toEqual(
      new Set([...types, "water_pump", "environmental_sensor"]),
    );
    expect(new Set(events.map((e) => e.event_type))).toEqual(new Set(["telemetry", "trends"]));
    expect(outs.some((o) => o.data_quality.out_of_range.length > 0)).toBe(true);
  });

  test("is byte for byte the plain encoding and decodes to the same event, across batches and registry changes", () => {
    const encode = createEnrichedEncoder(format);
    // Each pass is a new batch time or a registrations change: a cached block must never outlive its data.
    for (const [version, at] of [
      [0, "2026-01-01T00:05:00.000000Z"],
      [0, "2026-01-01T00:05:00.000000Z"],
      [0, "2026-01-01T00:05:01.250000Z"],
      [1, "2026-01-01T00:05:01.250000Z"],
      [2, "2026-01-01T00:05:02.000000Z"],
    ] as const) {
      const ctx = context(version, at);
      for (const e of events) {
        const slow = encodeEnrichedEvent(enrich(e, ctx), format);
        // As the pipeline does it: the event as decoded from the raw record, and (protobuf in) the raw bytes.
        for (const input of PAYLOAD_FORMATS) {
          const raw = encodeDeviceEvent(e, input);
          const decoded = decodeDeviceEvent(raw.value, raw.headers);
          const fast = encode(decoded, enrichmentOf(decoded, ctx), input === "protobuf" ? raw.value : undefined);
          expect(fast.headers).toEqual(slow.headers);
          expect(Buffer.from(fast.value).equals(Buffer.from(slow.value))).toBe(true);
          expect(decodeEnrichedEvent(fast.value, fast.headers)).toEqual(decodeEnrichedEvent(slow.value, slow.headers));
        }
      }
    }
  });
});

test("a protobuf input encoded otherwise than this codec does still enriches to the same event", () => {
  const encode = createEnrichedEncoder("protobuf");
  const ctx = context(0, "2026-01-01T00:05:00.000000Z");
  for (const e of fleetEvents()) {
    const canonical = encodeDeviceEvent(e, "protobuf");
    // A field this schema does not know (99, varint 1), as a newer device firmware might send.
    const raw = new Uint8Array([...canonical.value, 0x98, 0x06, 0x01]);
    const decoded = decodeDeviceEvent(raw, canonical.headers);
    const fast = encode(decoded, enrichmentOf(decoded, ctx), raw);
    const slow = encodeEnrichedEvent(enrich(e, ctx), "protobuf");
    expect(decodeEnrichedEvent(fast.value, fast.headers)).toEqual(decodeEnrichedEvent(slow.value, slow.headers));
  }
});
