/** The only reader of the environment. A bad value stops start-up with a message naming the variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { type StaticDecode, Type } from "@sinclair/typebox";

const seconds = (schema: ReturnType<typeof env.number>) =>
  Type.Transform(schema)
    .Decode((s) => s * 1000)
    .Encode((ms) => ms / 1000);

export const ingestConfigSchema = Type.Object({
  /** Every listener (HTTP, MQTT, MQTT over WebSocket) binds here. */
  bindHost: bindHostSchema,
  /** Health, metrics and the devices' HTTP endpoint; 0 picks a free port. */
  httpPort: env.port("INGEST_HTTP_PORT", 5005),
  /** The devices' MQTT server (MQTT 3.1.1); 0 picks a free port. */
  mqttPort: env.port("INGEST_MQTT_PORT", 1883),
  /** MQTT over WebSocket (subprotocol `mqtt`, any path); -1 (the default): off; 0 picks a free port. */
  mqttWsPort: env.int("INGEST_MQTT_WS_PORT", -1, { min: -1, max: 65535 }),
  bus: busConfigSchema,
  registryRpcUrl: env.string("REGISTRY_RPC_URL", "http://127.0.0.1:50051", {
    pattern: "^https?://[^/]+",
    expected: "http://host:port",
  }),
  /** Sent as `authorization: Bearer …` on WatchDevices when set. */
  registryToken: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  /** One MQTT payload, or one record of an HTTP batch. */
  maxPayloadBytes: env.int("INGEST_MAX_PAYLOAD_BYTES", 256 * 1024, { min: 256, max: 512 * 1024 }),
  /** One HTTP request body (a batch). */
  maxBodyBytes: env.int("INGEST_MAX_BODY_BYTES", 1024 * 1024, { min: 1024, max: 64 * 1024 * 1024 }),
  /** Bytes accepted but not yet acknowledged by the broker; beyond it MQTT sockets are not read and HTTP answers 503. */
  maxInflightBytes: env.int("INGEST_MAX_INFLIGHT_BYTES", 32 * 1024 * 1024, { min: 64 * 1024 }),
  /** How long the first record of a batch waits for others (across all connections) before it is sent. */
  lingerMs: env.number("INGEST_LINGER_MS", 2, { zero: true, max: 1000 }),
  /** A batch is sent as soon as it holds this many records. */
  batchRecords: env.int("INGEST_BATCH_RECORDS", 2000, { min: 1 }),
  /** An HTTP request not acknowledged by the broker within this answers 503 (the record may still arrive: at-least-once). */
  httpAckTimeoutMs: seconds(env.number("INGEST_HTTP_ACK_TIMEOUT", 10)),
  /** A connection that sent no CONNECT within this is closed. */
  connectTimeoutMs: seconds(env.number("INGEST_CONNECT_TIMEOUT", 10)),
  /** Connects one device may make per minute; more are refused (a reconnect loop). */
  connectsPerMinute: env.int("INGEST_CONNECTS_PER_MINUTE", 30, { min: 1 }),
  /** Set: also take devices' messages from this existing broker, with an MQTT 5 shared subscription (that broker authenticates them). */
  bridgeUrl: env.optional("INGEST_MQTT_BRIDGE_URL", { pattern: "^(mqtts?|wss?)://", expected: "mqtt://host:port" }),
  bridgeGroup: env.string("INGEST_MQTT_BRIDGE_GROUP", "iot-ingest", {
    pattern: "^[^/+#]+$",
    expected: "a name without / + #",
  }),
  logLevel: logLevelSchema,
});

export type IngestConfig = StaticDecode<typeof ingestConfigSchema>;

export const loadConfig = (source: Env = process.env): IngestConfig => loadEnv(ingestConfigSchema, source);
