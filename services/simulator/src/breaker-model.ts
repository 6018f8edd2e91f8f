/**
 * A smart circuit breaker on a three-phase 120 V service rated 12 kW (the registry's largest
 * active power). Voltage, load and power factor are mean-reverting walks (the load follows a daily
 * curve); current is what the load draws at that voltage; apparent power is Σ V·I over the
 * published (rounded) values, active = S·pf, reactive = √(S² − P²).
 * Protection: a phase current above PICKUP_AMPS for TRIP_DELAY opens the breaker, and so do arc and
 * ground faults; it recloses after `recloseSeconds`. Only anomaly episodes (started at
 * `anomalyRate` per sample) take values outside the registry's ranges.
 */
import type { DeviceType } from "@iot/common/device-registry";
import { clamp, daily, type DeviceModel, type DeviceState, type ModelOptions, revert, round, unitOf } from "./model";
import type { Random } from "./random";

const V_NOMINAL = 120;
const RATED_POWER = 12_000; // W; load_percentage = active / RATED_POWER
const MAX_NORMAL_LOAD = 0.9; // of RATED_POWER; keeps P, S, Q and current inside the registry's ranges
export const PICKUP_AMPS = 50; // per phase: above the ~41 A a normal load can draw at the lowest voltage and pf
const TRIP_DELAY = 10; // s above pickup before the breaker opens (definite time)
const GROUND_PICKUP = 5; // A
const HEATING = 25; // °C above ambient at rated load
const THERMAL_TAU = 900; // s
const MAINTENANCE_HOURS = 4_380;
const MAINTENANCE_TRIPS = 10;

type Episode = "" | "overload" | "voltage" | "frequency" | "ground_fault" | "arc_fault";
const EPISODES: Episode[] = [
  "overload",
  "overload",
  "overload",
  "voltage",
  "voltage",
  "frequency",
  "ground_fault",
  "arc_fault",
];

export interface BreakerState extends DeviceState {
  vNominal: number[]; // per phase: the service's fixed imbalance
  v: number[];
  share: number[]; // per-phase share of the load, summing to 3
  peakLoad: number; // fraction of rated power at the daily peak
  troughHour: number;
  loadNoise: number;
  pfMean: number;
  pf: number;
  freq: number;
  ambient: number;
  temp: number;
  leak: number;
  closed: boolean;
  overFor: number;
  reopenAt: number;
  arcLatched: boolean;
  tripCount: number;
  tripsAtService: number;
  hours: number;
  hoursAtService: number;
  episode: Episode;
  episodeLeft: number;
  episodeSize: number;
}

export function breakerModel(type: DeviceType, options: ModelOptions): DeviceModel<BreakerState> {
  const unit = {
    voltage: unitOf(type, "voltage", "V"),
    current: unitOf(type, "current", "A"),
    power: unitOf(type, "power", "W"),
    frequency: unitOf(type, "frequency", "Hz"),
    temperature: unitOf(type, "temperature", "°C"),
  };
  return {
    create(rng, t) {
      const share = [0, 1, 2].map(() => 1 + 0.03 * clamp(rng.normal(), -2, 2));
      const sum = share[0]! + share[1]! + share[2]!;
      const vNominal = [0, 1, 2].map(() => V_NOMINAL * (1 + 0.006 * clamp(rng.normal(), -2.5, 2.5)));
      const tripCount = Math.floor(rng.between(0, 6));
      const hours = rng.between(100, 20_000);
      const s: BreakerState = {
        rng,
        anomalous: false,
        vNominal,
        v: [...vNominal],
        share: share.map((x) => (3 * x) / sum),
        peakLoad: rng.between(0.35, 0.85),
        troughHour: rng.between(2, 5),
        loadNoise: 0,
        pfMean: rng.between(0.88, 0.96),
        pf: 0.92,
        freq: 60,
        ambient: rng.between(23, 28),
        temp: 0,
        leak: rng.between(0, 0.2),
        closed: true,
        overFor: 0,
        reopenAt: 0,
        arcLatched: false,
        tripCount,
        tripsAtService: Math.max(0, tripCount - Math.floor(rng.between(0, 4))),
        hours,
        hoursAtService: hours - rng.between(0, MAINTENANCE_HOURS * 1.2),
        episode: "",
        episodeLeft: 0,
        episodeSize: 1,
      };
      s.pf = s.pfMean;
      s.temp = ambientAt(s, t) + HEATING * demandAt(s, t) ** 2; // starts in thermal equilibrium
      return s;
    },

    sample(s, t, dt) {
      const rng = s.rng;
      if (s.episodeLeft <= 0 && rng.chance(options.anomalyRate)) startEpisode(s, dt, rng);
      const ep = s.episodeLeft > 0 ? s.episode : "";
      s.anomalous = ep !== "";
      if (!s.closed && t >= s.reopenAt) [s.closed, s.arcLatched] = [true, false];

      s.loadNoise = revert(s.loadNoise, 0, 0.05, 120, dt, rng);
      const load = demandAt(s, t) * (ep === "overload" ? s.episodeSize : 1);
      const vScale = ep === "voltage" ? s.episodeSize : 1;
      const v = s.v.map((x, p) => {
        s.v[p] = revert(x, s.vNominal[p]!, 1, 600, dt, rng);
        return round(clamp(s.v[p]! - 2 * load, 111, 129) * vScale, 2);
      });
      s.freq = revert(s.freq, 60, 0.02, 60, dt, rng);
      const frequency = round(ep === "frequency" ? 60 + s.episodeSize : clamp(s.freq, 59.9, 60.1), 2);
      s.pf = revert(s.pf, s.pfMean, 0.01, 300, dt, rng);
      const pf = round(clamp(s.pf, 0.85, 0.99), 3);
      s.leak = clamp(revert(s.leak, 0.1, 0.05, 600, dt, rng), 0, 0.3);

      const target = (load * RATED_POWER) / pf;
      let current = v.map((vp, p) => (s.closed ? round((target * s.share[p]!) / (3 * vp), 2) : 0));
      let ground = s.closed ? round(ep === "ground_fault" ? s.episodeSize : s.leak, 2) : 0;
      if (s.closed) {
        s.overFor = Math.max(...current) > PICKUP_AMPS ? s.overFor + dt : 0;
        if (ep === "arc_fault" || ground >= GROUND_PICKUP || s.overFor >= TRIP_DELAY) {
          [s.closed, s.overFor, s.reopenAt, s.arcLatched] = [false, 0, t + options.recloseSeconds, ep === "arc_fault"];
          s.tripCount++;
          current = [0, 0, 0];
          ground = 0;
        }
      }

      const apparent = round(v[0]! * current[0]! + v[1]! * current[1]! + v[2]! * current[2]!, 2);
      const active = round(apparent * pf, 2);
      const reactive = round(Math.sqrt(Math.max(0, apparent * apparent - active * active)), 2);
      s.temp = revert(s.temp, ambientAt(s, t) + HEATING * (active / RATED_POWER) ** 2, 0.05, THERMAL_TAU, dt, rng);
      s.hours += dt / 3600;
      s.episodeLeft -= dt;
      const closed = s.closed ? 1 : 0;
      return {
        voltage: { phase_a: v[0]!, phase_b: v[1]!, phase_c: v[2]!, unit: unit.voltage },
        current: { phase_a: current[0]!, phase_b: current[1]!, phase_c: current[2]!, unit: unit.current },
        power: { active, reactive, apparent, factor: pf, unit: unit.power },
        frequency: { value: frequency, unit: unit.frequency },
        temperature: { value: round(s.temp, 2), unit: unit.temperature },
        status: { breaker: closed, position: closed, communication: 1 },
        protection: { trip_count: s.tripCount, ground_fault_current: ground, arc_fault_detected: s.arcLatched },
        operational: {
          load_percentage: round((active / RATED_POWER) * 100, 2),
          operating_hours: round(s.hours, 2),
          maintenance_due:
            s.hours - s.hoursAtService >= MAINTENANCE_HOURS || s.tripCount - s.tripsAtService >= MAINTENANCE_TRIPS,
        },
      };
    },
  };
}

/** Load as a fraction of rated power: a daily curve with noise, capped so normal operation stays in range. */
const demandAt = (s: BreakerState, t: number) =>
  clamp(s.peakLoad * (0.35 + 0.65 * daily(t, s.troughHour)) * (1 + s.loadNoise), 0.02, MAX_NORMAL_LOAD);

const ambientAt = (s: BreakerState, t: number) => s.ambient - 2 + 4 * daily(t, s.troughHour + 2);

function startEpisode(s: BreakerState, dt: number, rng: Random) {
  s.episode = rng.pick(EPISODES);
  switch (s.episode) {
    case "overload": // enough to pass pickup at most loads, so a long overload trips
      [s.episodeLeft, s.episodeSize] = [rng.between(20, 120), rng.between(1.4, 2.2)];
      break;
    case "voltage": // a sag or a swell
      [s.episodeLeft, s.episodeSize] = [
        rng.between(10, 40),
        rng.chance(0.5) ? rng.between(0.85, 0.9) : rng.between(1.1, 1.15),
      ];
      break;
    case "frequency":
      [s.episodeLeft, s.episodeSize] = [rng.between(10, 40), (rng.chance(0.5) ? -1 : 1) * rng.between(1.05, 1.5)];
      break;
    default: // faults last one sample: the breaker opens on them
      [s.episodeLeft, s.episodeSize] = [dt, s.episode === "ground_fault" ? rng.between(10, 60) : 1];
  }
}
