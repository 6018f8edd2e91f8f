/** The only reader of the environment. A bad value stops start-up with a message naming every bad variable. */
import { type BusConfig, readBusConfig } from "@iot/common/bus-config";
import { envReader } from "@iot/common/env";
import type { Level as LogLevel } from "@iot/common/logger";
import type { Level } from "./db/store";

export interface HistoryConfig {
  /** Series API, health and metrics; 0 picks a free port. */
  port: number;
  bus: BusConfig;
  groupId: string;
  fromBeginning: boolean;
  /** postgres://… selects PostgreSQL; unset selects the SQLite file. */
  databaseUrl?: string;
  sqlitePath: string;
  /** How long each level is kept, ms. */
  retentionMs: Record<Level, number>;
  retentionIntervalMs: number;
  /** The most points one series may be downsampled to in one query. */
  maxPoints: number;
  deviceRegistryPath: string;
  logLevel: LogLevel;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function loadHistoryConfig(source: Record<string, string | undefined> = process.env): HistoryConfig {
  const env = envReader(source);
  const databaseUrl = env.optional("HISTORY_DATABASE_URL");
  // The URL may hold a password: name the variable, never echo the value.
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl))
    env.problem("HISTORY_DATABASE_URL", "expected a postgres:// or postgresql:// URL (leave it unset for SQLite)");
  const retentionMs: Record<Level, number> = {
    raw: env.int("HISTORY_RAW_RETENTION_HOURS", 48, { min: 1, max: 24 * 3660 }) * HOUR,
    "1m": env.int("HISTORY_MINUTE_RETENTION_DAYS", 30, { min: 1, max: 3660 }) * DAY,
    "5m": env.int("HISTORY_TRENDS_RETENTION_DAYS", 30, { min: 1, max: 3660 }) * DAY,
    "1h": env.int("HISTORY_HOUR_RETENTION_DAYS", 730, { min: 1, max: 3660 }) * DAY,
  };
  // Roll-ups are folded as raw points arrive: a level kept shorter than the one below it would
  // have buckets expire while points that still count towards them are kept.
  if (retentionMs.raw > retentionMs["1m"]) env.problem("HISTORY_RAW_RETENTION_HOURS", "must not exceed HISTORY_MINUTE_RETENTION_DAYS");
  if (retentionMs["1m"] > retentionMs["1h"]) env.problem("HISTORY_MINUTE_RETENTION_DAYS", "must not exceed HISTORY_HOUR_RETENTION_DAYS");
  const config: HistoryConfig = {
    port: env.port("HISTORY_PORT", 5008),
    bus: readBusConfig(env),
    groupId: env.string("HISTORY_GROUP", "iot-history"),
    fromBeginning: env.oneOf("HISTORY_START_FROM", ["earliest", "latest"] as const, "earliest") === "earliest",
    databaseUrl,
    sqlitePath: env.string("HISTORY_DB_PATH", "data/history.db"),
    retentionMs,
    retentionIntervalMs: env.int("HISTORY_RETENTION_INTERVAL_SECONDS", 60, { min: 1, max: 86_400 }) * 1000,
    maxPoints: env.int("HISTORY_MAX_POINTS", 5000, { min: 10, max: 100_000 }),
    deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
  };
  env.done();
  return config;
}
