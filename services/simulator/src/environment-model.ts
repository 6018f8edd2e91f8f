/**
 * An environmental sensor: temperature on a daily cycle, relative humidity falling as it warms,
 * barometric pressure drifting slowly around the site's altitude-dependent mean. Anomaly episodes are
 * sensor glitches: one channel reads outside its range for a sample or three.
 */
import type { DeviceType } from "@iot/common/device-registry";
import { clamp, daily, type DeviceModel, type DeviceState, type ModelOptions, revert, round, unitOf } from "./model";

type Channel = "temperature" | "humidity" | "pressure";
const GLITCH: Record<Channel, [number, number][]> = {
  temperature: [
    [86, 120],
    [-60, -41],
  ],
  humidity: [
    [101, 110],
    [-10, -1],
  ],
  pressure: [
    [1_101, 1_200],
    [200, 299],
  ],
};

export interface EnvironmentState extends DeviceState {
  meanTemp: number;
  swing: number; // °C from the daily mean to the afternoon peak
  troughHour: number;
  tempNoise: number;
  meanHumidity: number;
  humidityNoise: number;
  meanPressure: number;
  pressure: number;
  glitch: Channel | "";
  glitchValue: number;
  glitchLeft: number;
}

export function environmentModel(type: DeviceType, options: ModelOptions): DeviceModel<EnvironmentState> {
  const unit = {
    temperature: unitOf(type, "temperature", "°C"),
    humidity: unitOf(type, "humidity", "%RH"),
    pressure: unitOf(type, "pressure", "hPa"),
  };
  return {
    create: (rng) => {
      const meanPressure = rng.between(950, 1_025);
      return {
        rng,
        anomalous: false,
        meanTemp: rng.between(5, 28),
        swing: rng.between(2, 8),
        troughHour: rng.between(4, 6),
        tempNoise: 0,
        meanHumidity: rng.between(35, 65),
        humidityNoise: 0,
        meanPressure,
        pressure: meanPressure,
        glitch: "",
        glitchValue: 0,
        glitchLeft: 0,
      };
    },

    sample(s, t, dt) {
      const rng = s.rng;
      if (s.glitchLeft <= 0 && rng.chance(options.anomalyRate)) {
        s.glitch = rng.pick(["temperature", "humidity", "pressure"] as const);
        const [lo, hi] = rng.pick(GLITCH[s.glitch]);
        [s.glitchValue, s.glitchLeft] = [rng.between(lo, hi), dt * (1 + Math.floor(rng.between(0, 3)))];
      }
      s.anomalous = s.glitchLeft > 0;
      s.tempNoise = revert(s.tempNoise, 0, 0.3, 600, dt, rng);
      s.humidityNoise = revert(s.humidityNoise, 0, 2, 1_800, dt, rng);
      s.pressure = revert(s.pressure, s.meanPressure, 3, 6 * 3600, dt, rng);
      const warm = s.swing * (2 * daily(t, s.troughHour) - 1);
      const reading: Record<Channel, number> = {
        temperature: clamp(s.meanTemp + warm + s.tempNoise, -35, 80),
        humidity: clamp(s.meanHumidity - 2 * warm + s.humidityNoise, 5, 95),
        pressure: clamp(s.pressure, 870, 1_080),
      };
      if (s.anomalous && s.glitch !== "") reading[s.glitch] = s.glitchValue;
      s.glitchLeft -= dt;
      return {
        temperature: { value: round(reading.temperature, 2), unit: unit.temperature },
        humidity: { value: round(reading.humidity, 2), unit: unit.humidity },
        pressure: { value: round(reading.pressure, 2), unit: unit.pressure },
      };
    },
  };
}
