/** The only reader of the environment. A bad value stops start-up with a message naming every bad variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { ConfigError, env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { Type } from "@sinclair/typebox";
import type { Level } from "./db/store";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const scaled = (schema: ReturnType<typeof env.int>, factor: number) =>
  Type.Transform(schema)
    .Decode((v) => v * factor)
    .Encode((v) => v / factor);

export const historyConfigSchema = Type.Object({
  /** Series API, health and metrics; 0 picks a free port. */
  port: env.port("HISTORY_PORT", 5008),
  bindHost: bindHostSchema,
  bus: busConfigSchema,
  groupId: env.string("HISTORY_GROUP", "iot-history"),
  fromBeginning: Type.Transform(env.oneOf("HISTORY_START_FROM", ["earliest", "latest"] as const, "earliest"))
    .Decode((from) => from === "earliest")
    .Encode((earliest) => (earliest ? "earliest" : "latest")),
  /** postgres://… selects PostgreSQL; unset selects the SQLite file. The URL may hold a password: never echoed. */
  databaseUrl: env.optional("HISTORY_DATABASE_URL", {
    pattern: "^postgres(ql)?://",
    expected: "a postgres:// or postgresql:// URL (leave it unset for SQLite)",
    secret: true,
  }),
  sqlitePath: env.string("HISTORY_DB_PATH", "data/history.db"),
  /**
   * What one fetch of iot.enriched may bring, compressed (a partition a quarter of it; the bus's
   * default is 256 KiB): ~20 times as much once decompressed and decoded. memory-5k (3 interleaved
   * rounds, load 4-9): history's peak RSS 153 / 164 / 161 MB at 256 KiB, 139 / 143 / 152 at 128,
   * 138 / 139 / 132 at 64, CPU a record paced the same. The price is SQLite's catch-up: a transaction
   * holds one fetch, and each one rewrites the pages and roll-ups of every series it touches
   * (bench/history.ts, 3 pairs: 20.0-20.8k -> 9.9-10.1k msg/s; PostgreSQL 30.2-33.9k -> 30.3-32.2k).
   */
  fetchKib: env.int("HISTORY_FETCH_KIB", 64, { min: 16, max: 2048 }),
  /** How long each level is kept, ms. */
  retentionMs: Type.Object({
    raw: scaled(env.int("HISTORY_RAW_RETENTION_HOURS", 48, { min: 1, max: 24 * 3660 }), HOUR),
    "1m": scaled(env.int("HISTORY_MINUTE_RETENTION_DAYS", 30, { min: 1, max: 3660 }), DAY),
    "5m": scaled(env.int("HISTORY_TRENDS_RETENTION_DAYS", 30, { min: 1, max: 3660 }), DAY),
    "1h": scaled(env.int("HISTORY_HOUR_RETENTION_DAYS", 730, { min: 1, max: 3660 }), DAY),
  }),
  retentionIntervalMs: scaled(env.int("HISTORY_RETENTION_INTERVAL_SECONDS", 60, { min: 1, max: 86_400 }), 1000),
  /** The most points one series may be downsampled to in one query. */
  maxPoints: env.int("HISTORY_MAX_POINTS", 5000, { min: 10, max: 100_000 }),
  deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
  logLevel: logLevelSchema,
});

export function loadConfig(source: Env = process.env) {
  const config = loadEnv(historyConfigSchema, source);
  const retentionMs: Record<Level, number> = config.retentionMs;
  // Roll-ups are folded as raw points arrive: a level kept shorter than the one below it would
  // have buckets expire while points that still count towards them are kept.
  const problems: string[] = [];
  if (retentionMs.raw > retentionMs["1m"])
    problems.push("HISTORY_RAW_RETENTION_HOURS: must not exceed HISTORY_MINUTE_RETENTION_DAYS");
  if (retentionMs["1m"] > retentionMs["1h"])
    problems.push("HISTORY_MINUTE_RETENTION_DAYS: must not exceed HISTORY_HOUR_RETENTION_DAYS");
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...config, retentionMs };
}

export type HistoryConfig = ReturnType<typeof loadConfig>;
