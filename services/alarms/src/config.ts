/** The only reader of the environment. A bad value stops start-up with a message naming the variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { PAYLOAD_FORMATS } from "@iot/common/codec";
import { env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { type StaticDecode, Type } from "@sinclair/typebox";

export const alarmsConfigSchema = Type.Object({
  /** Alarms API (REST, Connect, gRPC-Web) and health/metrics. */
  port: env.port("ALARMS_PORT", 5007),
  bindHost: bindHostSchema,
  bus: busConfigSchema,
  groupId: env.string("ALARMS_GROUP", "iot-alarms"),
  fromBeginning: Type.Transform(env.oneOf("ALARMS_START_FROM", ["earliest", "latest"] as const, "earliest"))
    .Decode((from) => from === "earliest")
    .Encode((earliest) => (earliest ? "earliest" : "latest")),
  format: env.oneOf("PAYLOAD_FORMAT", PAYLOAD_FORMATS, "json"),
  deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
  /** postgres://… selects PostgreSQL; unset selects the SQLite file. The URL may hold a password: never echoed. */
  databaseUrl: env.optional("DATABASE_URL", {
    pattern: "^postgres(ql)?://",
    expected: "a postgres:// or postgresql:// URL (leave it unset for SQLite)",
    secret: true,
  }),
  sqlitePath: env.string("ALARMS_DB_PATH", "data/alarms.db"),
  /** Acknowledging needs it (Authorization: Bearer); unset: acknowledging is accepted from loopback only. */
  adminToken: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  /** How often `for` timers and silent devices are checked. */
  tickMs: env.int("ALARMS_TICK_MS", 1_000, { min: 10, max: 60_000 }),
  logLevel: logLevelSchema,
});

export type AlarmsConfig = StaticDecode<typeof alarmsConfigSchema>;

export const loadConfig = (source: Env = process.env): AlarmsConfig => loadEnv(alarmsConfigSchema, source);
