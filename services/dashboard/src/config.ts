/** The dashboard's settings: the only reader of the environment. A bad value stops it, naming the variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { Type } from "@sinclair/typebox";

export interface ServiceEndpoint {
  name: string;
  url: string;
}

const url = (name: string, fallback: string) =>
  Type.Transform(env.string(name, fallback, { pattern: "^https?://[^\\s/]+", expected: "an http(s) URL" }))
    .Decode((v) => v.replace(/\/+$/, ""))
    .Encode((v) => v);

export const dashboardConfigSchema = Type.Object({
  port: env.port("DASHBOARD_PORT", 5001),
  logLevel: logLevelSchema,
  bus: busConfigSchema,
  /** The dashboard's own consumer group: one consumer reads raw, enriched and dead letters. */
  groupId: env.string("DASHBOARD_GROUP", "iot-dashboard"),
  /** Where that group starts when it has no committed offset. */
  fromBeginning: env.bool("DASHBOARD_FROM_BEGINNING", false),
  /** The group whose lag says whether enrichment keeps up (and whether the counters balance). */
  enrichmentGroupId: env.string("ENRICHMENT_GROUP", "iot-enrichment"),
  registry: Type.Object({ url: url("REGISTRY_URL", "http://127.0.0.1:5002"), token: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }) }),
  /** For calls to the App Registry and probes of every service. */
  httpTimeoutMs: env.int("DASHBOARD_HTTP_TIMEOUT_MS", 3_000, { min: 100, max: 60_000 }),
  /** The other services, probed for /readyz and /metrics. */
  probed: Type.Object({ simulator: url("SIMULATOR_URL", "http://127.0.0.1:5003"), enrichment: url("ENRICHMENT_URL", "http://127.0.0.1:5004") }),
  /** Per-application delivery status and its operator actions. */
  deliveryUrl: url("DELIVERY_URL", "http://127.0.0.1:5006"),
  intervals: Type.Object({
    statsMs: env.int("DASHBOARD_STATS_INTERVAL_MS", 2_000, { min: 200, max: 60_000 }),
    probeMs: env.int("DASHBOARD_PROBE_INTERVAL_MS", 5_000, { min: 500, max: 300_000 }),
    heartbeatMs: env.int("DASHBOARD_SSE_HEARTBEAT_MS", 5_000, { min: 1_000, max: 60_000 }),
  }),
  /** Per browser: at most this many swaps a second; faster streams are sampled (the newest wins). */
  maxSwapsPerSecond: env.int("DASHBOARD_MAX_SWAPS_PER_SECOND", 10, { min: 1, max: 10 }),
  limits: Type.Object({
    feed: env.int("DASHBOARD_FEED_SIZE", 25, { min: 1, max: 500 }),
    devices: env.int("DASHBOARD_MAX_DEVICES", 1_000, { min: 1, max: 100_000 }),
    seriesPoints: env.int("DASHBOARD_SERIES_POINTS", 60, { min: 2, max: 2_000 }),
    deadLetters: env.int("DASHBOARD_DEAD_LETTERS", 100, { min: 1, max: 10_000 }),
    rateHistory: env.int("DASHBOARD_RATE_HISTORY", 300, { min: 2, max: 10_000 }),
    devicesShown: env.int("DASHBOARD_DEVICES_SHOWN", 200, { min: 1, max: 10_000 }),
  }),
});

export type DashboardConfig = ReturnType<typeof loadConfig>;

export function loadConfig(source: Env = process.env) {
  const { probed, ...config } = loadEnv(dashboardConfigSchema, source);
  const services: ServiceEndpoint[] = [
    { name: "app-registry", url: config.registry.url },
    { name: "simulator", url: probed.simulator },
    { name: "enrichment", url: probed.enrichment },
    { name: "delivery", url: config.deliveryUrl },
  ];
  return { ...config, services };
}
