import { describe, expect, test } from "bun:test";
import { fromBinary } from "@bufbuild/protobuf";
import { decodeDeviceEvent, encodeDeviceEvent, type PayloadFormat } from "@iot/common/codec";
import type { DeviceEvent, TelemetryEvent } from "@iot/common/telemetry";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";
import { readmeExample, registryWithNewType, shapeOf } from "../test/support";
import { createFleet, type DeviceCount, timestampAt } from "./fleet";

const registry = await registryWithNewType();
const START = Date.parse("2026-01-05T10:02:17.345Z");
const INTERVAL = 5_000;
const MIX: DeviceCount[] = [
  { type: "smart_breaker", count: 3 },
  { type: "smart_meter", count: 1 },
  { type: "environmental_sensor", count: 1 },
  { type: "water_pump", count: 2 },
];

function telemetry(
  o: { devices?: DeviceCount[]; seed?: string; burst?: boolean; cycles?: number } = {},
): TelemetryEvent[] {
  const fleet = createFleet({
    devices: o.devices ?? MIX,
    registry,
    seed: o.seed ?? "fleet",
    intervalMs: INTERVAL,
    trendsIntervalSec: 300,
    burst: o.burst ?? false,
    model: { anomalyRate: 0.001, recloseSeconds: 30 },
    startMs: START,
  });
  const out: TelemetryEvent[] = [];
  const emit = (e: DeviceEvent) => (e.event_type === "telemetry" && out.push(e), true);
  const end = START + (o.cycles ?? 3) * INTERVAL - 0.001;
  for (let t = START; t < end; t += 250) fleet.advance(t, emit);
  fleet.advance(end, emit);
  return out;
}

const ms = (e: TelemetryEvent) => Date.parse(e.timestamp);

describe("fleet", () => {
  test("devices get ids like breaker-001, a per-type count each", () => {
    const ids = new Set(telemetry({ cycles: 1 }).map((e) => `${e.device_type}:${e.device_id}`));
    expect([...ids].sort()).toEqual([
      "environmental_sensor:environmental-sensor-001",
      "smart_breaker:breaker-001",
      "smart_breaker:breaker-002",
      "smart_breaker:breaker-003",
      "smart_meter:meter-001",
      "water_pump:water-pump-001",
      "water_pump:water-pump-002",
    ]);
  });

  test("each device publishes once per interval, at its own phase; burst mode sends them together", () => {
    const spread = telemetry({ devices: [{ type: "smart_breaker", count: 50 }] });
    expect(spread.length).toBe(150);
    for (let i = 1; i < spread.length; i++) expect(ms(spread[i]!)).toBeGreaterThanOrEqual(ms(spread[i - 1]!));
    const breaker7 = spread.filter((e) => e.device_id === "breaker-007").map(ms);
    expect(breaker7.map((t) => t - breaker7[0]!)).toEqual([0, INTERVAL, 2 * INTERVAL]);
    const firstCycle = spread.slice(0, 50).map((e) => ms(e) - START);
    expect(Math.max(...firstCycle) - Math.min(...firstCycle)).toBeGreaterThan(INTERVAL / 2);

    const burst = telemetry({ devices: [{ type: "smart_breaker", count: 50 }], burst: true });
    expect(new Set(burst.slice(0, 50).map(ms))).toEqual(new Set([START]));
  });

  test("one seed, one run; a device's stream does not depend on the rest of the fleet", () => {
    expect(telemetry()).toEqual(telemetry());
    expect(telemetry({ seed: "other" })).not.toEqual(telemetry());
    const alone = telemetry({ devices: [{ type: "smart_breaker", count: 1 }] }).map((e) => e.measurements);
    const inFleet = telemetry()
      .filter((e) => e.device_id === "breaker-001")
      .map((e) => e.measurements);
    expect(inFleet).toEqual(alone);
  });
});

describe("the wire format", () => {
  const formats: PayloadFormat[] = ["json", "protobuf"];

  test("a breaker's telemetry JSON has exactly the keys and nesting of the README example", async () => {
    const example = await readmeExample("Raw message (telemetry)");
    const breaker = telemetry().find((e) => e.device_type === "smart_breaker")!;
    expect(shapeOf(JSON.parse(JSON.stringify(breaker)))).toEqual(shapeOf(example));
  });

  test("known types travel as their typed protobuf message, a new type as the generic one, both losslessly", () => {
    const cases: Record<string, string> = {
      smart_breaker: "smartBreaker",
      smart_meter: "smartMeter",
      environmental_sensor: "environmentalSensor",
      water_pump: "generic",
    };
    for (const e of telemetry({ cycles: 1 })) {
      for (const format of formats) {
        const { value, headers } = encodeDeviceEvent(e, format);
        expect(decodeDeviceEvent(value, headers)).toEqual(e);
        if (format === "protobuf") {
          const msg = fromBinary(DeviceEventSchema, value);
          const kind: string | undefined =
            msg.event.case === "telemetry" ? msg.event.value.measurements?.kind.case : undefined;
          expect(kind).toBe(cases[e.device_type]!);
        }
      }
    }
  });

  test("a device type added to the registry publishes every group it declares", () => {
    const pumps = telemetry().filter((e) => e.device_type === "water_pump");
    expect(pumps.length).toBe(6);
    for (const e of pumps) {
      expect(Object.keys(e.measurements)).toEqual(["flow", "pressure", "motor", "runtime"]);
      expect(Object.keys(e.measurements.pressure!)).toEqual(["inlet", "outlet", "unit"]);
      expect(e.measurements.flow!.unit).toBe("l/min");
    }
  });
});

test("timestamps are RFC 3339 UTC with microseconds, from fractional epoch ms", () => {
  expect(timestampAt(Date.parse("2025-08-19T17:40:37Z") + 594.1762)).toBe("2025-08-19T17:40:37.594176Z");
  expect(timestampAt(Date.parse("2025-08-19T17:40:37Z") + 0.0004)).toBe("2025-08-19T17:40:37.000000Z");
  expect(timestampAt(Date.parse("2025-08-19T17:40:38Z") + 999.9996)).toBe("2025-08-19T17:40:38.999999Z");
});
