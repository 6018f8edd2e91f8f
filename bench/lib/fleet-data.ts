/**
 * Realistic raw records from the simulator's own device models (createFleet): the default device
 * mix (3 breakers : 1 meter : 1 environmental sensor), a 5 s publish interval and 5-minute trends,
 * as `bun run simulator` publishes them. The fleet runs on simulated time, as fast as it can, from
 * half a trends window before a window boundary, so every device also publishes one trends message.
 */
import type { OutgoingRecord } from "@iot/common/bus";
import { encodeDeviceEvent, type PayloadFormat } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import type { DeviceEvent } from "@iot/common/telemetry";
import { DEFAULT_DEVICES } from "../../services/simulator/src/config";
import { createFleet } from "../../services/simulator/src/fleet";

const INTERVAL_MS = 5_000;
const TRENDS_S = 300;

export interface FleetMix {
  telemetry: number;
  trends: number;
  by_device_type: Record<string, number>;
}

/**
 * Calls `onChunk` with the next ≤ `chunk` events encoded in each of `formats` until at least
 * `count` telemetry samples were generated; returns the mix. Devices: enough for `count` samples
 * over one trends window.
 */
export async function generateRawRecords(
  count: number,
  formats: PayloadFormat[],
  onChunk: (records: Map<PayloadFormat, OutgoingRecord[]>) => Promise<void>,
  chunk = 5_000,
): Promise<FleetMix> {
  const registry = await loadDeviceRegistry("config/device-registry.json");
  const cycles = (TRENDS_S * 1000) / INTERVAL_MS;
  const total = Math.ceil(count / cycles);
  const weight = DEFAULT_DEVICES.reduce((n, d) => n + d.count, 0);
  const devices = DEFAULT_DEVICES.map((d) => ({ type: d.type, count: Math.ceil((total * d.count) / weight) }));
  const boundary = Math.floor(Date.now() / (TRENDS_S * 1000)) * TRENDS_S * 1000;
  const startMs = boundary - (TRENDS_S * 1000) / 2;
  const fleet = createFleet({
    devices,
    registry,
    seed: "bench",
    intervalMs: INTERVAL_MS,
    trendsIntervalSec: TRENDS_S,
    burst: false,
    model: { anomalyRate: 0.001, recloseSeconds: 30 },
    startMs,
  });
  const mix: FleetMix = { telemetry: 0, trends: 0, by_device_type: {} };
  let events: DeviceEvent[] = [];
  const emit = (e: DeviceEvent) => {
    events.push(e);
    mix[e.event_type]++;
    mix.by_device_type[e.device_type] = (mix.by_device_type[e.device_type] ?? 0) + 1;
    return true;
  };
  const flush = async () => {
    const encoded = new Map(
      formats.map((f) => [f, events.map((e) => ({ key: e.device_id, ...encodeDeviceEvent(e, f) }))]),
    );
    events = [];
    await onChunk(encoded);
  };
  // Simulated time moves on only when nothing more is due, so the output does not depend on speed.
  for (let now = startMs; mix.telemetry < count; ) {
    const room = Math.min(chunk, count - mix.telemetry);
    if (fleet.advance(now, emit, room) < room) now += INTERVAL_MS / 10;
    if (events.length >= chunk) await flush();
  }
  if (events.length > 0) await flush();
  return mix;
}
