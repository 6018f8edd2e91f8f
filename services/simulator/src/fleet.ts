/**
 * The fleet: every simulated device with its own state, and the schedule that says who publishes
 * next. No timers per device: each device has a fixed offset inside the publish interval (seeded,
 * so a large fleet publishes evenly instead of in one burst; all zero in burst mode), devices are
 * kept sorted by offset, and `advance(now)` walks the ring from where it stopped. Pure: time comes
 * in as an argument, events go out through `emit`.
 */
import { formatTimestamp } from "@iot/common/codec";
import type { DeviceRegistry, DeviceType } from "@iot/common/device-registry";
import type { DeviceEvent, TelemetryEvent, TrendsEvent } from "@iot/common/telemetry";
import { breakerModel } from "./breaker-model";
import { environmentModel } from "./environment-model";
import { genericModel } from "./generic-model";
import { meterModel } from "./meter-model";
import type { DeviceModel, DeviceState, ModelFactory, ModelOptions } from "./model";
import { randomFor } from "./random";
import { createTrendWindows, type TrendWindows } from "./trends";

export interface DeviceCount {
  type: string;
  count: number;
}

export interface FleetOptions {
  devices: DeviceCount[];
  registry: DeviceRegistry;
  seed: string;
  intervalMs: number;
  trendsIntervalSec: number;
  burst: boolean;
  model: ModelOptions;
  /** The first samples are due at `startMs` + each device's offset. */
  startMs: number;
}

/**
 * Hands an event to the publisher; false when it was refused (then it is not part of any trend).
 * `anomalous`: the sample was shaped by an anomaly episode.
 */
export type Emit = (event: DeviceEvent, anomalous: boolean) => boolean;

const MODELS: Record<string, ModelFactory> = {
  smart_breaker: breakerModel,
  smart_meter: meterModel,
  environmental_sensor: environmentModel,
};

export const modelFor = (type: DeviceType, options: ModelOptions): DeviceModel =>
  (MODELS[type.id] ?? genericModel)(type, options);

/** "smart_breaker" → "breaker", "environmental_sensor" → "environmental-sensor". */
export const idPrefix = (type: string) => type.replace(/^smart_/, "").replaceAll("_", "-");

/** The id of a fleet's device: its type's prefix and its 1-based slot, zero-padded to the type's count ("breaker-001"). */
export const deviceIdOf = (type: string, slot: number, count: number) =>
  `${idPrefix(type)}-${String(slot + 1).padStart(Math.max(3, String(count).length), "0")}`;

/** Every device id of a fleet with its type, in fleet order (what `--provision` registers). */
export const fleetDevices = (devices: DeviceCount[]) =>
  devices.flatMap(({ type, count }) =>
    Array.from({ length: count }, (_, slot) => ({ deviceId: deviceIdOf(type, slot, count), deviceType: type })),
  );

interface Kind {
  type: DeviceType;
  model: DeviceModel;
  trends: TrendWindows;
}

interface Device {
  id: string;
  kind: Kind;
  slot: number;
  offsetMs: number;
  state: DeviceState;
}

export function createFleet(o: FleetOptions) {
  const schedule = randomFor(o.seed, "schedule");
  const devices: Device[] = [];
  for (const { type, count } of o.devices) {
    const spec = o.registry.types.get(type);
    if (!spec) throw new Error(`device type "${type}" is not in the device registry`);
    const kind: Kind = {
      type: spec,
      model: modelFor(spec, o.model),
      trends: createTrendWindows(o.trendsIntervalSec, count),
    };
    for (let slot = 0; slot < count; slot++) {
      const id = deviceIdOf(type, slot, count);
      const offsetMs = o.burst ? 0 : schedule.next() * o.intervalMs;
      devices.push({ id, kind, slot, offsetMs, state: kind.model.create(randomFor(o.seed, id), o.startMs / 1000) });
    }
  }
  devices.sort((a, b) => a.offsetMs - b.offsetMs);
  const intervalSec = o.intervalMs / 1000;
  let cursor = 0;
  let cycleMs = o.startMs;

  function publish(d: Device, atMs: number, emit: Emit) {
    const t = atMs / 1000;
    const measurements = d.kind.model.sample(d.state, t, intervalSec);
    const closed = d.kind.trends.roll(d.slot, t);
    if (closed) {
      const trends: TrendsEvent = {
        device_id: d.id,
        device_type: d.kind.type.id,
        timestamp: formatTimestamp(closed.start),
        event_type: "trends",
        trends: closed.points,
      };
      emit(trends, false);
    }
    const telemetry: TelemetryEvent = {
      device_id: d.id,
      device_type: d.kind.type.id,
      timestamp: timestampAt(atMs),
      event_type: "telemetry",
      measurements,
    };
    if (emit(telemetry, d.state.anomalous)) d.kind.trends.add(d.slot, measurements);
  }

  return {
    size: devices.length,
    /** When the next sample is due, epoch ms. */
    nextDueMs: () =>
      devices.length === 0
        ? Infinity
        : cursor === devices.length
          ? cycleMs + o.intervalMs + devices[0]!.offsetMs
          : cycleMs + devices[cursor]!.offsetMs,
    /** Publishes, in time order, every sample due at or before `nowMs`, at most `max`; returns how many. */
    advance(nowMs: number, emit: Emit, max = Infinity): number {
      let n = 0;
      while (n < max && devices.length > 0) {
        if (cursor === devices.length) {
          cursor = 0;
          cycleMs += o.intervalMs;
        }
        const d = devices[cursor]!;
        const at = cycleMs + d.offsetMs;
        if (at > nowMs) break;
        cursor++;
        publish(d, at, emit);
        n++;
      }
      return n;
    },
  };
}

export type Fleet = ReturnType<typeof createFleet>;

/**
 * RFC 3339 with microseconds for a fractional epoch-ms time (offsets inside the interval are
 * fractional). formatTimestamp formats the date part once per second; samples come in time order.
 */
export function timestampAt(ms: number): string {
  const s = Math.floor(ms / 1000);
  return formatTimestamp(s, Math.min(999_999, Math.floor((ms - s * 1000) * 1000)));
}
