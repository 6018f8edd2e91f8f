import { type BusConfig, readBusConfig, type Topics } from "@iot/common/bus-config";
import { PAYLOAD_FORMATS, type PayloadFormat } from "@iot/common/codec";
import { envReader } from "@iot/common/env";
import type { Env } from "@iot/common/service";
import type { Level } from "@iot/common/logger";

export interface AlarmsConfig {
  port: number;
  /** The shared topics plus `alarms`, so the alarms topic is provisioned with the others. */
  bus: BusConfig & { topics: Topics & { alarms: string } };
  groupId: string;
  fromBeginning: boolean;
  format: PayloadFormat;
  deviceRegistryPath: string;
  databaseUrl?: string;
  sqlitePath: string;
  /** How often `for` timers and silent devices are checked. */
  tickMs: number;
  logLevel: Level;
}

export function loadAlarmsConfig(source: Env = process.env): AlarmsConfig {
  const env = envReader(source);
  const bus = readBusConfig(env);
  const databaseUrl = env.optional("DATABASE_URL");
  const config: AlarmsConfig = {
    port: env.port("ALARMS_PORT", 5007),
    bus: { ...bus, topics: { ...bus.topics, alarms: env.string("TOPIC_ALARMS", "iot.alarms") } },
    groupId: env.string("ALARMS_GROUP", "iot-alarms"),
    fromBeginning: env.oneOf("ALARMS_START_FROM", ["earliest", "latest"] as const, "earliest") === "earliest",
    format: env.oneOf("PAYLOAD_FORMAT", PAYLOAD_FORMATS, "json"),
    deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
    ...(databaseUrl !== undefined && { databaseUrl }),
    sqlitePath: env.string("ALARMS_DB_PATH", "data/alarms.db"),
    tickMs: env.int("ALARMS_TICK_MS", 1_000, { min: 10, max: 60_000 }),
    logLevel: env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info"),
  };
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) env.problem("DATABASE_URL", "expected a postgres:// URL");
  env.done();
  return config;
}
