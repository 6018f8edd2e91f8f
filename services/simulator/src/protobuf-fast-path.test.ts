import { expect, test } from "bun:test";
import { encodeDeviceEvent } from "@iot/common/codec";
import { readDeviceEvent } from "@iot/common/codec/device-event-reader";
import { deviceEventFromBinary } from "@iot/common/codec/proto";
import type { DeviceEvent } from "@iot/common/telemetry";
import { registryWithNewType } from "../test/support";
import { createFleet } from "./fleet";

const TYPED = ["smart_breaker", "smart_meter", "environmental_sensor"];

// Enrichment decodes every raw record: what the simulator publishes must not need the fromBinary fallback.
test("the simulator's typed devices and trends take the protobuf reader's fast path", async () => {
  const start = Date.parse("2026-01-05T10:02:17.345Z");
  const fleet = createFleet({
    devices: [...TYPED, "water_pump"].map((type) => ({ type, count: 2 })),
    registry: await registryWithNewType(),
    seed: "fast-path",
    intervalMs: 5_000,
    trendsIntervalSec: 300,
    burst: false,
    model: { anomalyRate: 0.05, recloseSeconds: 30 },
    startMs: start,
  });
  const events: DeviceEvent[] = [];
  for (let t = start; t < start + 310_000; t += 250) fleet.advance(t, (e) => (events.push(e), true));
  const kinds = new Set<string>();
  for (const e of events) {
    const bytes = encodeDeviceEvent(e, "protobuf").value;
    const fast = readDeviceEvent(bytes);
    // water_pump has no typed message: its telemetry travels as `generic`, which the reader leaves to fromBinary
    if (e.event_type === "telemetry" && !TYPED.includes(e.device_type)) expect(fast).toBeUndefined();
    else expect(fast).toEqual(deviceEventFromBinary(bytes));
    kinds.add(`${e.device_type} ${e.event_type}`);
  }
  expect(kinds.size).toBe(8);
});
