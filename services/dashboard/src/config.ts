/** The dashboard's settings: the only reader of the environment. A bad value stops it, naming the variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { ConfigError, env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { Type } from "@sinclair/typebox";
import { parseOperators } from "./auth/operators";

export interface ServiceEndpoint {
  name: string;
  url: string;
}

const url = (name: string, fallback: string) =>
  Type.Transform(env.string(name, fallback, { pattern: "^https?://[^\\s/]+", expected: "an http(s) URL" }))
    .Decode((v) => v.replace(/\/+$/, ""))
    .Encode((v) => v);

const scaled = (schema: ReturnType<typeof env.int>, factor: number) =>
  Type.Transform(schema)
    .Decode((v) => v * factor)
    .Encode((v) => v / factor);

export const dashboardConfigSchema = Type.Object({
  port: env.port("DASHBOARD_PORT", 5001),
  bindHost: bindHostSchema,
  /** Names the dashboard answers to besides localhost, 127.0.0.1 and [::1]: any other Host is a DNS rebinding. */
  allowedHosts: env.list("DASHBOARD_ALLOWED_HOSTS", [], {
    pattern: "^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+)$",
    expected: "host names (no port)",
  }),
  auth: Type.Object({
    operators: Type.Transform(env.string("DASHBOARD_OPERATORS", "", { secret: true }))
      .Decode(parseOperators)
      .Encode((m) => [...m].map(([name, hash]) => `${name}:${hash}`).join(",")),
    /** Loopback callers are operators without logging in (`bun run start` sets it). */
    loopbackOperator: env.bool("DASHBOARD_LOOPBACK_OPERATOR", false),
    proxyHeader: env.optional("DASHBOARD_TRUSTED_PROXY_HEADER", {
      pattern: "^[A-Za-z0-9-]{1,64}$",
      expected: "a header name",
    }),
    trustedProxies: env.list("DASHBOARD_TRUSTED_PROXIES", [], {
      pattern: "^[0-9A-Fa-f:.]+$",
      expected: "IP addresses",
    }),
    sessionIdleMs: scaled(env.int("DASHBOARD_SESSION_IDLE_MINUTES", 30, { min: 1, max: 24 * 60 }), 60_000),
    sessionMaxMs: scaled(env.int("DASHBOARD_SESSION_MAX_HOURS", 12, { min: 1, max: 30 * 24 }), 3_600_000),
    /** Failed logins per client address per LOGIN_WINDOW_MS. */
    loginMaxFailures: env.int("DASHBOARD_LOGIN_MAX_FAILURES", 5, { min: 1, max: 1_000 }),
  }),
  /** Connections that send nothing for this long are closed (live streams send a heartbeat more often). */
  idleTimeoutSeconds: env.int("DASHBOARD_IDLE_TIMEOUT_SECONDS", 30, { min: 2, max: 255 }),
  logLevel: logLevelSchema,
  bus: busConfigSchema,
  /** The dashboard's own consumer group: one consumer reads raw, enriched and dead letters. */
  groupId: env.string("DASHBOARD_GROUP", "iot-dashboard"),
  /** Where that group starts when it has no committed offset. */
  fromBeginning: env.bool("DASHBOARD_FROM_BEGINNING", false),
  /** The group whose lag says whether enrichment keeps up (and whether the counters balance). */
  enrichmentGroupId: env.string("ENRICHMENT_GROUP", "iot-enrichment"),
  registry: Type.Object({
    url: url("REGISTRY_URL", "http://127.0.0.1:5002"),
    token: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  }),
  /** The alarms service's API (the Alarms page, header counts, a device's alarms and thresholds). */
  alarmsUrl: url("ALARMS_URL", "http://127.0.0.1:5007"),
  /** Where devices reach ingest, for the copy-ready examples shown when a device is provisioned. */
  ingest: Type.Object({
    host: env.string("INGEST_PUBLIC_HOST", "localhost"),
    mqttPort: env.port("INGEST_MQTT_PORT", 1883),
    httpPort: env.port("INGEST_HTTP_PORT", 5005),
  }),
  /** The history service's series API (device charts read it). */
  historyUrl: url("HISTORY_URL", "http://127.0.0.1:5008"),
  /** For calls to the App Registry and probes of every service. */
  httpTimeoutMs: env.int("DASHBOARD_HTTP_TIMEOUT_MS", 3_000, { min: 100, max: 60_000 }),
  /** The other services, probed for /readyz and /metrics. */
  probed: Type.Object({
    simulator: url("SIMULATOR_URL", "http://127.0.0.1:5003"),
    enrichment: url("ENRICHMENT_URL", "http://127.0.0.1:5004"),
    ingest: url("INGEST_URL", "http://127.0.0.1:5005"),
  }),
  /** Per-application delivery status and its operator actions. */
  deliveryUrl: url("DELIVERY_URL", "http://127.0.0.1:5006"),
  intervals: Type.Object({
    statsMs: env.int("DASHBOARD_STATS_INTERVAL_MS", 2_000, { min: 200, max: 60_000 }),
    probeMs: env.int("DASHBOARD_PROBE_INTERVAL_MS", 5_000, { min: 500, max: 300_000 }),
    heartbeatMs: env.int("DASHBOARD_SSE_HEARTBEAT_MS", 5_000, { min: 1_000, max: 60_000 }),
    /** A device chart's stored history is read again at most this often (when it went stale). */
    historyRefreshMs: env.int("DASHBOARD_HISTORY_REFRESH_MS", 60_000, { min: 1_000, max: 3_600_000 }),
  }),
  /** Per browser: at most this many swaps a second; faster streams are sampled (the newest wins). */
  maxSwapsPerSecond: env.int("DASHBOARD_MAX_SWAPS_PER_SECOND", 10, { min: 1, max: 10 }),
  limits: Type.Object({
    feed: env.int("DASHBOARD_FEED_SIZE", 25, { min: 1, max: 500 }),
    devices: env.int("DASHBOARD_MAX_DEVICES", 1_000, { min: 1, max: 100_000 }),
    seriesPoints: env.int("DASHBOARD_SERIES_POINTS", 60, { min: 2, max: 2_000 }),
    /** Stored history kept for the device charts, per device and range shown. */
    historyCharts: env.int("DASHBOARD_HISTORY_CHARTS", 64, { min: 1, max: 10_000 }),
    deadLetters: env.int("DASHBOARD_DEAD_LETTERS", 100, { min: 1, max: 10_000 }),
    rateHistory: env.int("DASHBOARD_RATE_HISTORY", 300, { min: 2, max: 10_000 }),
    devicesShown: env.int("DASHBOARD_DEVICES_SHOWN", 200, { min: 1, max: 10_000 }),
    /** Request bodies (the application forms are a few hundred bytes). */
    bodyBytes: env.int("DASHBOARD_MAX_BODY_BYTES", 64 * 1024, { min: 1_024, max: 1024 * 1024 }),
    /** Live streams open at once, in all and per client address; beyond them a new one is a 429. */
    streams: env.int("DASHBOARD_SSE_MAX_STREAMS", 500, { min: 1, max: 100_000 }),
    streamsPerClient: env.int("DASHBOARD_SSE_MAX_PER_CLIENT", 8, { min: 1, max: 1_000 }),
  }),
});

export type DashboardConfig = ReturnType<typeof loadConfig>;

/** The window DASHBOARD_LOGIN_MAX_FAILURES counts in. */
export const LOGIN_WINDOW_MS = 15 * 60_000;

export function loadConfig(source: Env = process.env) {
  const { probed, ...config } = loadEnv(dashboardConfigSchema, source);
  const problems: string[] = [];
  if (config.auth.proxyHeader && config.auth.trustedProxies.length === 0)
    problems.push(
      "DASHBOARD_TRUSTED_PROXY_HEADER: set DASHBOARD_TRUSTED_PROXIES too, the addresses allowed to send it",
    );
  if (config.intervals.heartbeatMs >= config.idleTimeoutSeconds * 1000)
    problems.push(
      `DASHBOARD_SSE_HEARTBEAT_MS: must be shorter than DASHBOARD_IDLE_TIMEOUT_SECONDS (${config.idleTimeoutSeconds} s), or live streams are cut`,
    );
  if (problems.length > 0) throw new ConfigError(problems);
  const services: ServiceEndpoint[] = [
    { name: "app-registry", url: config.registry.url },
    { name: "simulator", url: probed.simulator },
    { name: "enrichment", url: probed.enrichment },
    { name: "delivery", url: config.deliveryUrl },
    { name: "alarms", url: config.alarmsUrl },
    { name: "history", url: config.historyUrl },
    { name: "ingest", url: probed.ingest },
  ];
  return { ...config, services };
}
