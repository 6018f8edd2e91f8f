/**
 * A smart energy meter: demand (kW) follows a daily curve with noise, energy (kWh) integrates it and
 * so never decreases, and the power factor drifts. Anomaly episodes are poor power quality: a power
 * factor below the registry's range for a few minutes.
 */
import type { DeviceType } from "@iot/common/device-registry";
import { clamp, daily, type DeviceModel, type DeviceState, type ModelOptions, revert, round, unitOf } from "./model";

export interface MeterState extends DeviceState {
  energy: number;
  peakDemand: number;
  troughHour: number;
  noise: number;
  pfMean: number;
  pf: number;
  episodeLeft: number;
  episodePf: number;
}

export function meterModel(type: DeviceType, options: ModelOptions): DeviceModel<MeterState> {
  const unit = {
    energy: unitOf(type, "energy", "kWh"),
    demand: unitOf(type, "demand", "kW"),
    pf: unitOf(type, "power_factor", "dimensionless"),
  };
  return {
    create: (rng) => ({
      rng,
      anomalous: false,
      energy: rng.between(1_000, 50_000),
      peakDemand: rng.between(3, 40),
      troughHour: rng.between(2, 5),
      noise: 0,
      pfMean: rng.between(0.88, 0.97),
      pf: 0.93,
      episodeLeft: 0,
      episodePf: 1,
    }),

    sample(s, t, dt) {
      const rng = s.rng;
      if (s.episodeLeft <= 0 && rng.chance(options.anomalyRate))
        [s.episodeLeft, s.episodePf] = [rng.between(30, 300), rng.between(0.6, 0.78)];
      s.anomalous = s.episodeLeft > 0;
      s.noise = revert(s.noise, 0, 0.08, 300, dt, rng);
      const demand = s.peakDemand * (0.25 + 0.75 * daily(t, s.troughHour)) * Math.max(0, 1 + s.noise);
      s.energy += (demand * dt) / 3600;
      s.pf = revert(s.pf, s.pfMean, 0.015, 600, dt, rng);
      const pf = s.anomalous ? s.episodePf : clamp(s.pf, 0.82, 0.99);
      s.episodeLeft -= dt;
      return {
        energy: { value: round(s.energy, 2), unit: unit.energy },
        demand: { value: round(demand, 2), unit: unit.demand },
        power_factor: { value: round(pf, 3), unit: unit.pf },
      };
    },
  };
}
