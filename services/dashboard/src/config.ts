/** The dashboard's settings: the only reader of the environment. A bad value stops it, naming the variable. */
import { type BusConfig, readBusConfig } from "@iot/common/bus-config";
import { type EnvReader, envReader } from "@iot/common/env";
import type { Level } from "@iot/common/logger";

export interface ServiceEndpoint {
  name: string;
  url: string;
}

export interface DashboardConfig {
  port: number;
  logLevel: Level;
  bus: BusConfig;
  /** The dashboard's own consumer group: one consumer reads raw, enriched and dead letters. */
  groupId: string;
  /** Where that group starts when it has no committed offset. */
  fromBeginning: boolean;
  /** The group whose lag says whether enrichment keeps up (and whether the counters balance). */
  enrichmentGroupId: string;
  registry: { url: string; token: string | undefined };
  /** The history service's series API (device charts read it). */
  historyUrl: string;
  /** For calls to the App Registry and probes of every service. */
  httpTimeoutMs: number;
  /** Probed for /readyz and /metrics. */
  services: ServiceEndpoint[];
  intervals: { statsMs: number; probeMs: number; heartbeatMs: number };
  /** Per browser: at most this many swaps a second; faster streams are sampled (the newest wins). */
  maxSwapsPerSecond: number;
  limits: { feed: number; devices: number; seriesPoints: number; deadLetters: number; rateHistory: number; devicesShown: number };
}

const url = (env: EnvReader, name: string, fallback: string) => {
  const v = env.string(name, fallback);
  if (!/^https?:\/\/[^\s/]+/.test(v)) env.problem(name, `expected an http(s) URL, got "${v}"`);
  return v.replace(/\/+$/, "");
};

export function readDashboardConfig(env: EnvReader = envReader()): DashboardConfig {
  const registryUrl = url(env, "REGISTRY_URL", "http://127.0.0.1:5002");
  const historyUrl = url(env, "HISTORY_URL", "http://127.0.0.1:5008");
  const config: DashboardConfig = {
    port: env.port("DASHBOARD_PORT", 5001),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
    bus: readBusConfig(env),
    groupId: env.string("DASHBOARD_GROUP", "iot-dashboard"),
    fromBeginning: env.bool("DASHBOARD_FROM_BEGINNING", false),
    enrichmentGroupId: env.string("ENRICHMENT_GROUP", "iot-enrichment"),
    registry: { url: registryUrl, token: env.optional("REGISTRY_ADMIN_TOKEN") },
    historyUrl,
    httpTimeoutMs: env.int("DASHBOARD_HTTP_TIMEOUT_MS", 3_000, { min: 100, max: 60_000 }),
    services: [
      { name: "app-registry", url: registryUrl },
      { name: "simulator", url: url(env, "SIMULATOR_URL", "http://127.0.0.1:5003") },
      { name: "enrichment", url: url(env, "ENRICHMENT_URL", "http://127.0.0.1:5004") },
      { name: "history", url: historyUrl },
    ],
    intervals: {
      statsMs: env.int("DASHBOARD_STATS_INTERVAL_MS", 2_000, { min: 200, max: 60_000 }),
      probeMs: env.int("DASHBOARD_PROBE_INTERVAL_MS", 5_000, { min: 500, max: 300_000 }),
      heartbeatMs: env.int("DASHBOARD_SSE_HEARTBEAT_MS", 5_000, { min: 1_000, max: 60_000 }),
    },
    maxSwapsPerSecond: env.int("DASHBOARD_MAX_SWAPS_PER_SECOND", 10, { min: 1, max: 10 }),
    limits: {
      feed: env.int("DASHBOARD_FEED_SIZE", 25, { min: 1, max: 500 }),
      devices: env.int("DASHBOARD_MAX_DEVICES", 1_000, { min: 1, max: 100_000 }),
      seriesPoints: env.int("DASHBOARD_SERIES_POINTS", 60, { min: 2, max: 2_000 }),
      deadLetters: env.int("DASHBOARD_DEAD_LETTERS", 100, { min: 1, max: 10_000 }),
      rateHistory: env.int("DASHBOARD_RATE_HISTORY", 300, { min: 2, max: 10_000 }),
      devicesShown: env.int("DASHBOARD_DEVICES_SHOWN", 200, { min: 1, max: 10_000 }),
    },
  };
  env.done();
  return config;
}
