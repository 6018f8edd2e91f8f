/** What every device model is, and the small numeric tools they share. */
import type { DeviceType } from "@iot/common/device-registry";
import type { MeasurementGroup } from "@iot/common/telemetry";
import type { Random } from "./random";

export type Measurements = Record<string, MeasurementGroup>;

export interface DeviceState {
  rng: Random;
  /** The last sample was shaped by an anomaly episode: only then may values leave the registry's ranges. */
  anomalous: boolean;
}

export interface ModelOptions {
  /** Probability that a sample starts an anomaly episode. */
  anomalyRate: number;
  /** Seconds a tripped breaker stays open before it recloses. */
  recloseSeconds: number;
}

export interface DeviceModel<S extends DeviceState = DeviceState> {
  /** A new device: its long-lived traits (base load, imbalance, ...) are drawn from `rng`. */
  create(rng: Random, tSec: number): S;
  /** Moves the device `dtSec` forward to `tSec` and returns what it publishes then. */
  sample(state: S, tSec: number, dtSec: number): Measurements;
}

export type ModelFactory = (type: DeviceType, options: ModelOptions) => DeviceModel;

/** Rounds for publishing; `+ 0` turns -0 into 0, which JSON and protobuf would otherwise disagree on. */
export const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f + 0;
};

export const clamp = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);

/**
 * One step of a mean-reverting random walk (Ornstein–Uhlenbeck): `sigma` is the spread it settles
 * to, `tauSec` how long it remembers. Exact for any step, so the walk does not depend on the interval.
 */
export function revert(x: number, mean: number, sigma: number, tauSec: number, dtSec: number, rng: Random): number {
  const keep = Math.exp(-dtSec / tauSec);
  return mean + (x - mean) * keep + sigma * Math.sqrt(1 - keep * keep) * rng.normal();
}

/** 0 at `troughHour` (UTC), 1 twelve hours later: a smooth daily cycle. */
export const daily = (tSec: number, troughHour: number) =>
  0.5 - 0.5 * Math.cos((2 * Math.PI * (tSec / 3600 - troughHour)) / 24);

export const unitOf = (type: DeviceType, group: string, fallback: string) => type.measurements[group]?.unit ?? fallback;
