/**
 * The ceiling for enrichment: the same consumer → producer path (createKafkaBus subscribe and
 * publish, same group settings, same headers added) doing no work on the payload. Reads the same
 * variables as enrichment (KAFKA_BROKERS, TOPIC_RAW, TOPIC_ENRICHED, ENRICHMENT_GROUP,
 * ENRICHMENT_START_FROM), so the bench runs both the same way; stops on SIGTERM like a service.
 *   KAFKA_BROKERS=127.0.0.1:9092 TOPIC_RAW=… TOPIC_ENRICHED=… bun bench/passthrough.ts
 */
import { busConfigSchema, createKafkaBusFromConfig } from "@iot/common/bus-config";
import { env, loadEnv, logLevelSchema } from "@iot/common/env";
import { createLogger } from "@iot/common/logger";
import { onShutdown } from "@iot/common/shutdown";
import { HEADER } from "@iot/common/wire";
import { Type } from "@sinclair/typebox";

const { bus, groupId, startFrom, logLevel } = loadEnv(
  Type.Object({
    bus: busConfigSchema,
    groupId: env.string("ENRICHMENT_GROUP", "bench-passthrough"),
    startFrom: env.oneOf("ENRICHMENT_START_FROM", ["earliest", "latest"] as const, "earliest"),
    logLevel: logLevelSchema,
  }),
  process.env,
);
const fromBeginning = startFrom === "earliest";
const log = createLogger("passthrough", { level: logLevel });

const kafka = createKafkaBusFromConfig(bus, "passthrough", log);
await kafka.start();
const subscription = await kafka.subscribe({
  groupId,
  topics: [bus.topics.raw],
  fromBeginning,
  handler: async (batch) => {
    const records = batch.records.map((r) => ({
      key: r.key,
      value: r.value,
      headers: {
        ...r.headers,
        [HEADER.messageId]: `${r.topic}/${r.partition}/${r.offset}`,
        [HEADER.sourceTimestamp]: String(r.timestamp),
      },
    }));
    await kafka.publish(bus.topics.enriched, records);
  },
});
log.info("passthrough consuming", { from: bus.topics.raw, to: bus.topics.enriched, group: groupId });
onShutdown(async () => {
  await subscription.stop();
  await kafka.stop();
}, log);
