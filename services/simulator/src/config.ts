/**
 * The simulator's settings: environment variables, and for the load-generation knobs also command-line
 * flags (`bun run simulator --devices 100000 --rate 20000 --duration 60`), a flag winning over its
 * variable. Every problem is reported at once, named by the variable or flag that caused it.
 */
import { parseArgs } from "node:util";
import { type BusConfig, readBusConfig } from "@iot/common/bus-config";
import { PAYLOAD_FORMATS, type PayloadFormat } from "@iot/common/codec";
import type { DeviceRegistry } from "@iot/common/device-registry";
import { ConfigError, envReader, type EnvReader } from "@iot/common/env";
import type { Level } from "@iot/common/logger";
import type { DeviceCount } from "./fleet";

export interface SimulatorConfig {
  port: number;
  bus: BusConfig;
  deviceRegistryPath: string;
  logLevel: Level;
  format: PayloadFormat;
  devices: DeviceCount[];
  /** The setting `devices` came from, for messages about it. */
  devicesSetting: string;
  /** Per device, between two telemetry samples. */
  intervalMs: number;
  trendsIntervalSec: number;
  seed: string;
  burst: boolean;
  anomalyRate: number;
  recloseSeconds: number;
  maxBuffered: number;
  flushTimeoutMs: number;
  /** Stop after this many telemetry messages (0: never). */
  count: number;
  /** Stop after this long (0: never). */
  durationMs: number;
}

export const DEFAULT_DEVICES: DeviceCount[] = [
  { type: "smart_breaker", count: 3 },
  { type: "smart_meter", count: 1 },
  { type: "environmental_sensor", count: 1 },
];

/** Flag → the variable it stands for. */
const FLAGS = {
  devices: "SIM_DEVICES",
  interval: "PUBLISH_INTERVAL",
  rate: "SIM_RATE",
  count: "SIM_COUNT",
  duration: "SIM_DURATION",
  seed: "SIM_SEED",
  format: "PAYLOAD_FORMAT",
  burst: "SIM_BURST",
} as const;

export function loadSimulatorConfig(source: Record<string, string | undefined> = process.env, argv: string[] = []): SimulatorConfig {
  const { values, problem } = parseFlags(argv);
  // Flags layered over the environment without copying it, so only what is read gets read.
  const merged: Record<string, string | undefined> = Object.create(source);
  const names = {} as Record<(typeof FLAGS)[keyof typeof FLAGS], string>;
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const given = values[flag as keyof typeof FLAGS];
    names[variable] = given === undefined ? variable : `--${flag}`;
    if (given !== undefined) merged[`--${flag}`] = String(given);
  }
  const env = envReader(merged);
  if (problem) env.problem("command line", problem);

  const devices = parseDevices(env, names.SIM_DEVICES);
  const total = devices.reduce((n, d) => n + d.count, 0);
  const rate = positive(env, names.SIM_RATE, 0, true);
  const interval = positive(env, names.PUBLISH_INTERVAL, 5);
  if (rate > 0 && merged[names.PUBLISH_INTERVAL]?.trim()) env.problem(names.SIM_RATE, `sets the interval (devices / rate); do not set ${names.PUBLISH_INTERVAL} too`);
  const config: SimulatorConfig = {
    port: env.port("SIMULATOR_PORT", 5003),
    bus: readBusConfig(env),
    deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    format: env.oneOf(names.PAYLOAD_FORMAT, PAYLOAD_FORMATS, "json"),
    devices,
    devicesSetting: names.SIM_DEVICES,
    intervalMs: (rate > 0 ? total / rate : interval) * 1000,
    trendsIntervalSec: env.int("TRENDS_INTERVAL", 300, { min: 1, max: 86_400 }),
    seed: env.string(names.SIM_SEED, crypto.randomUUID().slice(0, 8)),
    burst: env.bool(names.SIM_BURST, false),
    anomalyRate: fraction(env, "SIM_ANOMALY_RATE", 0.001),
    recloseSeconds: positive(env, "SIM_RECLOSE_SECONDS", 30),
    maxBuffered: env.int("SIM_BUFFER_MAX", 100_000, { min: 1 }),
    flushTimeoutMs: positive(env, "SIM_FLUSH_TIMEOUT", 10) * 1000,
    count: env.int(names.SIM_COUNT, 0, { min: 0 }),
    durationMs: positive(env, names.SIM_DURATION, 0, true) * 1000,
  };
  env.done();
  return config;
}

/** Device types must exist in the registry; checked once it is loaded. */
export function checkDeviceTypes(config: SimulatorConfig, registry: DeviceRegistry): void {
  const unknown = config.devices.filter((d) => !registry.types.has(d.type)).map((d) => d.type);
  if (unknown.length > 0) {
    throw new ConfigError([`${config.devicesSetting}: ${unknown.join(", ")} not in the device registry (known: ${[...registry.types.keys()].join(", ")})`]);
  }
}

/** `type=count,...`, or a bare total split like the default mix (3:1:1). */
function parseDevices(env: EnvReader, name: string): DeviceCount[] {
  const text = env.optional(name);
  if (text === undefined) return DEFAULT_DEVICES;
  if (/^\d+$/.test(text)) {
    const total = Number(text);
    const weight = DEFAULT_DEVICES.reduce((n, d) => n + d.count, 0);
    const split = DEFAULT_DEVICES.map((d) => ({ type: d.type, count: Math.floor((total * d.count) / weight) }));
    split[0]!.count += total - split.reduce((n, d) => n + d.count, 0);
    return total > 0 ? split : (env.problem(name, "expected at least one device"), DEFAULT_DEVICES);
  }
  const out: DeviceCount[] = [];
  for (const part of text.split(",").map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z][a-z0-9_]*)=(\d+)$/.exec(part);
    if (!m) env.problem(name, `expected type=count[,type=count…] or a number, got "${part}"`);
    else if (out.some((d) => d.type === m[1])) env.problem(name, `${m[1]} given twice`);
    else out.push({ type: m[1]!, count: Number(m[2]) });
  }
  if (out.length > 0 && out.every((d) => d.count === 0)) env.problem(name, "expected at least one device");
  return out;
}

function positive(env: EnvReader, name: string, fallback: number, zeroAllowed = false): number {
  const text = env.optional(name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (/^\d+(\.\d+)?$/.test(text) && (n > 0 || (zeroAllowed && n === 0))) return n;
  env.problem(name, `expected a ${zeroAllowed ? "non-negative" : "positive"} number, got "${text}"`);
  return fallback;
}

function fraction(env: EnvReader, name: string, fallback: number): number {
  const n = positive(env, name, fallback, true);
  if (n <= 1) return n;
  env.problem(name, `expected a probability between 0 and 1, got ${n}`);
  return fallback;
}

function parseFlags(argv: string[]): { values: Partial<Record<keyof typeof FLAGS, string | boolean>>; problem?: string } {
  const options = Object.fromEntries(Object.keys(FLAGS).map((f) => [f, { type: f === "burst" ? "boolean" : "string" } as const]));
  try {
    return { values: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values };
  } catch (e) {
    return { values: {}, problem: e instanceof Error ? e.message : String(e) };
  }
}
