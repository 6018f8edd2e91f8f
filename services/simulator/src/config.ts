/**
 * The simulator's settings: environment variables, and for the load-generation knobs also command-line
 * flags (`bun run simulator --devices 100000 --rate 20000 --duration 60`), a flag winning over its
 * variable. Every problem is reported at once, named by the variable or flag that caused it.
 */
import { parseArgs } from "node:util";
import { busConfigSchema } from "@iot/common/bus-config";
import { PAYLOAD_FORMATS } from "@iot/common/codec";
import type { DeviceRegistry } from "@iot/common/device-registry";
import { ConfigError, env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { Type } from "@sinclair/typebox";
import { TRANSPORTS } from "./device-transport";
import type { DeviceCount } from "./fleet";

export const DEFAULT_DEVICES: DeviceCount[] = [
  { type: "smart_breaker", count: 3 },
  { type: "smart_meter", count: 1 },
  { type: "environmental_sensor", count: 1 },
];

const seconds = (schema: ReturnType<typeof env.number>) =>
  Type.Transform(schema)
    .Decode((s) => s * 1000)
    .Encode((ms) => ms / 1000);

export const simulatorConfigSchema = Type.Object({
  /** Health and metrics. */
  port: env.port("SIMULATOR_PORT", 5003),
  bindHost: bindHostSchema,
  bus: busConfigSchema,
  deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
  logLevel: logLevelSchema,
  format: env.oneOf("PAYLOAD_FORMAT", PAYLOAD_FORMATS, "json"),
  devices: Type.Transform(env.string("SIM_DEVICES", DEFAULT_DEVICES.map((d) => `${d.type}=${d.count}`).join(",")))
    .Decode(parseDevices)
    .Encode((devices) => devices.map((d) => `${d.type}=${d.count}`).join(",")),
  /** Seconds between one device's samples; `rate` (fleet-wide telemetry/s) sets it instead. */
  interval: env.number("PUBLISH_INTERVAL", 5),
  rate: env.number("SIM_RATE", 0, { zero: true }),
  trendsIntervalSec: env.int("TRENDS_INTERVAL", 300, { min: 1, max: 86_400 }),
  /** Unset: a random one, logged so a run can be repeated. */
  seed: env.optional("SIM_SEED"),
  burst: env.bool("SIM_BURST", false),
  anomalyRate: env.number("SIM_ANOMALY_RATE", 0.001, { zero: true, max: 1 }),
  recloseSeconds: env.number("SIM_RECLOSE_SECONDS", 30),
  maxBuffered: env.int("SIM_BUFFER_MAX", 100_000, { min: 1 }),
  flushTimeoutMs: seconds(env.number("SIM_FLUSH_TIMEOUT", 10)),
  /** Stop after this many telemetry messages (0: never). */
  count: env.int("SIM_COUNT", 0, { min: 0 }),
  /** Stop after this long (0: never). */
  durationMs: seconds(env.number("SIM_DURATION", 0, { zero: true })),
  /** Register the fleet's devices with the App Registry before publishing (idempotent); `bun run start` sets it. */
  provision: env.bool("SIM_PROVISION", false),
  registryUrl: env.string("REGISTRY_URL", "http://127.0.0.1:5002"),
  /** Sent as the bearer token when provisioning. */
  adminToken: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  /** `kafka` writes to the broker; `mqtt`/`http` publish each device as itself through the ingest gateway. */
  transport: env.oneOf("SIM_TRANSPORT", TRANSPORTS, "kafka"),
  /** Unset: the gateway on this machine, at INGEST_MQTT_PORT or INGEST_HTTP_PORT. */
  ingestUrl: env.optional("SIM_INGEST_URL", {
    pattern: "^(mqtt|http)s?://[^/]+",
    expected: "mqtt://host:port or http://host:port",
  }),
});

export type SimulatorConfig = ReturnType<typeof loadConfig>;

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
  provision: "SIM_PROVISION",
  transport: "SIM_TRANSPORT",
} as const;

export function loadConfig(source: Env = process.env, argv: string[] = []) {
  const { values, problem } = parseFlags(argv);
  // Flags layered over the environment without copying it, so only what is read gets read.
  const merged: Env = Object.create(source);
  const flagOf = new Map<string, string>();
  for (const [flag, variable] of Object.entries(FLAGS)) {
    const given = values[flag as keyof typeof FLAGS];
    if (given === undefined) continue;
    merged[variable] = String(given);
    flagOf.set(variable, `--${flag}`);
  }
  const label = (variable: string) => flagOf.get(variable) ?? variable;
  const before = problem ? [`command line: ${problem}`] : [];
  if (Number(merged.SIM_RATE) > 0 && merged.PUBLISH_INTERVAL?.trim())
    before.push(
      `${label("SIM_RATE")}: sets the interval (devices / rate); do not set ${label("PUBLISH_INTERVAL")} too`,
    );

  const { interval, rate, seed, ingestUrl, ...config } = loadEnv(simulatorConfigSchema, merged, {
    label,
    problems: before,
  });
  const total = config.devices.reduce((n, d) => n + d.count, 0);
  return {
    ...config,
    /** Per device, between two telemetry samples. */
    intervalMs: (rate > 0 ? total / rate : interval) * 1000,
    seed: seed ?? crypto.randomUUID().slice(0, 8),
    ingestUrl:
      ingestUrl ??
      (config.transport === "http"
        ? `http://127.0.0.1:${merged.INGEST_HTTP_PORT?.trim() || 5005}`
        : `mqtt://127.0.0.1:${merged.INGEST_MQTT_PORT?.trim() || 1883}`),
    /** The setting `devices` came from, for messages about it. */
    devicesSetting: label("SIM_DEVICES"),
  };
}

/** Device types must exist in the registry; checked once it is loaded. */
export function checkDeviceTypes(config: SimulatorConfig, registry: DeviceRegistry): void {
  const unknown = config.devices.filter((d) => !registry.types.has(d.type)).map((d) => d.type);
  if (unknown.length > 0) {
    throw new ConfigError([
      `${config.devicesSetting}: ${unknown.join(", ")} not in the device registry (known: ${[...registry.types.keys()].join(", ")})`,
    ]);
  }
}

/** `type=count,...`, or a bare total split like the default mix (3:1:1). Throws the reason it cannot read. */
function parseDevices(text: string): DeviceCount[] {
  if (/^\d+$/.test(text)) {
    const total = Number(text);
    if (total === 0) throw new Error("expected at least one device");
    const weight = DEFAULT_DEVICES.reduce((n, d) => n + d.count, 0);
    const split = DEFAULT_DEVICES.map((d) => ({ type: d.type, count: Math.floor((total * d.count) / weight) }));
    split[0]!.count += total - split.reduce((n, d) => n + d.count, 0);
    return split;
  }
  const out: DeviceCount[] = [];
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-z][a-z0-9_]*)=(\d+)$/.exec(part);
    if (!m) throw new Error(`expected type=count[,type=count…] or a number, got "${part}"`);
    if (out.some((d) => d.type === m[1])) throw new Error(`${m[1]} given twice`);
    out.push({ type: m[1]!, count: Number(m[2]) });
  }
  if (out.every((d) => d.count === 0)) throw new Error("expected at least one device");
  return out;
}

function parseFlags(argv: string[]): {
  values: Partial<Record<keyof typeof FLAGS, string | boolean>>;
  problem?: string;
} {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((f) => [f, { type: f === "burst" || f === "provision" ? "boolean" : "string" } as const]),
  );
  try {
    return { values: parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values };
  } catch (e) {
    return { values: {}, problem: e instanceof Error ? e.message : String(e) };
  }
}
