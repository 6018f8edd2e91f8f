/** The only reader of the environment. A bad value stops start-up with a message naming the variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { PAYLOAD_FORMATS } from "@iot/common/codec";
import { env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { type StaticDecode, Type } from "@sinclair/typebox";

export const enrichmentConfigSchema = Type.Object({
  /** Health and metrics. */
  port: env.port("ENRICHMENT_PORT", 5004),
  bindHost: bindHostSchema,
  bus: busConfigSchema,
  groupId: env.string("ENRICHMENT_GROUP", "iot-enrichment"),
  fromBeginning: Type.Transform(env.oneOf("ENRICHMENT_START_FROM", ["earliest", "latest"] as const, "earliest"))
    .Decode((from) => from === "earliest")
    .Encode((earliest) => (earliest ? "earliest" : "latest")),
  format: env.oneOf("PAYLOAD_FORMAT", PAYLOAD_FORMATS, "json"),
  registryRpcUrl: env.string("REGISTRY_RPC_URL", "http://127.0.0.1:50051", {
    pattern: "^https?://[^/]+",
    expected: "http://host:port",
  }),
  relistMs: Type.Transform(env.int("REGISTRY_RELIST_SECONDS", 300, { min: 1 }))
    .Decode((s) => s * 1000)
    .Encode((ms) => ms / 1000),
  deviceRegistryPath: env.string("DEVICE_REGISTRY_PATH", "config/device-registry.json"),
  maxMessageBytes: env.int("MAX_MESSAGE_BYTES", 256 * 1024, { min: 1024, max: 512 * 1024 }),
  logLevel: logLevelSchema,
});

export type EnrichmentConfig = StaticDecode<typeof enrichmentConfigSchema>;

export const loadConfig = (source: Env = process.env): EnrichmentConfig => loadEnv(enrichmentConfigSchema, source);
