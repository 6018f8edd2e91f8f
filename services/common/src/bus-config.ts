/** Broker and topic settings every service shares, and the bus they select. */
import { type StaticDecode, Type } from "@sinclair/typebox";
import type { EventBus, TopicSpec } from "./bus";
import type { KafkaSasl } from "./bus/kafka-bus";
import { createMemoryBus } from "./bus/memory-bus";
import { ConfigError, type Env, env, loadEnv } from "./env";
import type { Logger } from "./logger";
import { TOPIC_DEFAULTS } from "./wire";

export const busConfigSchema = Type.Object({
  /** Empty: the in-process bus (only `bun run start`, one process, can use it). */
  brokers: env.list("KAFKA_BROKERS", [], {
    pattern: "^[A-Za-z0-9.\\-_\\[\\]:]+:\\d{1,5}$",
    expected: "host:port[,host:port…]",
  }),
  partitions: env.int("KAFKA_PARTITIONS", 6, { min: 1, max: 1024 }),
  /** @platformatic/kafka encodes a record in about a third of kafkajs's CPU (bench/README.md); kafkajs stays selectable. */
  client: env.oneOf("KAFKA_CLIENT", ["platformatic", "kafkajs"] as const, "platformatic"),
  /**
   * Batch compression of the enriched topic (its records repeat the same blocks, so they shrink several
   * times). zstd: both clients read and write it with node:zlib's codec, no extra dependency.
   */
  compression: env.oneOf("KAFKA_COMPRESSION", ["zstd", "gzip", "none"] as const, "zstd"),
  topics: Type.Object({
    raw: env.string("TOPIC_RAW", TOPIC_DEFAULTS.raw),
    enriched: env.string("TOPIC_ENRICHED", TOPIC_DEFAULTS.enriched),
    dlq: env.string("TOPIC_DLQ", TOPIC_DEFAULTS.dlq),
    alarms: env.string("TOPIC_ALARMS", TOPIC_DEFAULTS.alarms),
    deliveryDlq: env.string("TOPIC_DELIVERY_DLQ", TOPIC_DEFAULTS.deliveryDlq),
  }),
  /** SASL towards a broker that requires it (RedPanda or Kafka with SCRAM or PLAIN); `none` by default. */
  sasl: Type.Object({
    mechanism: env.oneOf("KAFKA_SASL_MECHANISM", ["none", "plain", "scram-sha-256", "scram-sha-512"] as const, "none"),
    username: env.optional("KAFKA_SASL_USERNAME"),
    password: env.optional("KAFKA_SASL_PASSWORD", { secret: true }),
  }),
  ssl: env.bool("KAFKA_SSL", false),
});

export type BusConfig = StaticDecode<typeof busConfigSchema>;
/** The pipeline's three topics (raw in, enriched and dead letters out); `BusConfig["topics"]` has every topic. */
export type Topics = Pick<BusConfig["topics"], "raw" | "enriched" | "dlq">;

/** The bus settings alone (what `bun run start` needs to build the one bus its services share). */
export const loadBusConfig = (source: Env) => loadEnv(busConfigSchema, source);

export const topicSpecs = (c: BusConfig): TopicSpec[] =>
  Object.values(c.topics).map((name) => ({ name, partitions: c.partitions }));

/** A service started on its own needs a broker: the in-process bus only joins services in one process. */
export function createKafkaBusFromConfig(c: BusConfig, clientId: string, log: Logger): EventBus {
  if (c.brokers.length === 0) {
    throw new Error(
      `KAFKA_BROKERS is required to run ${clientId} on its own (bun run start runs every service in one process without it)`,
    );
  }
  const compression = c.compression === "none" ? {} : { [c.topics.enriched]: c.compression };
  const options = {
    brokers: c.brokers,
    clientId,
    topics: topicSpecs(c),
    log,
    compression,
    ssl: c.ssl,
    sasl: saslOf(c),
  };
  // Only the selected client is loaded: a process that never runs @platformatic/kafka does not pay its
  // ~40 MB of modules, nor one on it kafkajs's ~8 MB (RSS after import, bench/README.md "Memory").
  if (c.client === "kafkajs") {
    const { createKafkaBus } = require("./bus/kafka-bus") as typeof import("./bus/kafka-bus");
    return createKafkaBus(options);
  }
  const { createPlatformaticBus } = require("./bus/platformatic-bus") as typeof import("./bus/platformatic-bus");
  return createPlatformaticBus(options);
}

/** The credentials a SASL mechanism needs, or a ConfigError naming what is missing. */
function saslOf(c: BusConfig): KafkaSasl | undefined {
  const { mechanism, username, password } = c.sasl;
  if (mechanism === "none") return undefined;
  const missing = [username ? "" : "KAFKA_SASL_USERNAME", password ? "" : "KAFKA_SASL_PASSWORD"].filter(Boolean);
  if (missing.length > 0)
    throw new ConfigError(missing.map((name) => `${name}: is required with KAFKA_SASL_MECHANISM=${mechanism}`));
  return { mechanism, username: username!, password: password! };
}

export function createInProcessBus(c: BusConfig, log: Logger): EventBus {
  return createMemoryBus({
    topics: topicSpecs(c),
    log,
    onDrop: (topic, count) => log.warn("in-process bus dropped records no group was reading", { topic, count }),
  });
}
