/**
 * The Kafka adapter (Kafka, RedPanda). Timeouts and retries are explicit: with kafkajs defaults a
 * dead broker takes ~11 s to notice. Every client is disconnected on stop and on a failed start,
 * since a half-connected kafkajs client keeps the process alive.
 */
import {
  type Consumer,
  type ConsumerRunConfig,
  Kafka,
  type KafkaConfig,
  logLevel,
  Partitioners,
  type Producer,
  type IHeaders,
  type SASLOptions,
} from "kafkajs";
import type { Batch, EventBus, Headers, IncomingRecord, SubscribeOptions, Subscription, TopicSpec } from "../bus";
import type { Logger } from "../logger";
import { createOutageLog } from "./kafka-log";
import { createRelaunchBackoff } from "./relaunch-backoff";
import { kafkaLogCreator } from "./kafkajs-log";
import { KAFKAJS_COMPRESSION, registerKafkajsZstd } from "./kafkajs-zstd";
import { retrying } from "./retrying";
import { sendEnd } from "./send-size";

export interface KafkaSasl {
  mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
  username: string;
  password: string;
}

export interface KafkaBusOptions {
  brokers: string[];
  ssl?: boolean;
  sasl?: KafkaSasl;
  clientId: string;
  topics: TopicSpec[];
  log: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
  /** Partitions of one subscriber processed at the same time. */
  concurrency?: number;
  /** Batch compression by topic; topics not named are sent uncompressed. */
  compression?: Record<string, keyof typeof KAFKAJS_COMPRESSION>;
}

export function createKafkaBus(opts: KafkaBusOptions): EventBus {
  registerKafkajsZstd();
  const config: KafkaConfig = {
    clientId: opts.clientId,
    brokers: opts.brokers,
    ssl: opts.ssl ?? false,
    ...(opts.sasl ? { sasl: opts.sasl as SASLOptions } : {}),
    connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    retry: { retries: opts.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator: kafkaLogCreator(opts.log),
  };
  const kafka = new Kafka(config);
  const admin = kafka.admin();
  const producer: Producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
  const consumers = new Set<Consumer>();
  let connected = false;

  const disconnectAll = async () => {
    connected = false;
    await Promise.allSettled([...consumers].map((c) => c.disconnect()));
    consumers.clear();
    await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
  };

  const createConsumer = (s: SubscribeOptions) => {
    // A 10 s session (kafkajs: 30 s) hands a dead replica's partitions over sooner.
    // Fetch caps bound what a consumer holds in memory (kafkajs: 10 MiB / 1 MiB a partition).
    const consumer = kafka.consumer({
      groupId: s.groupId,
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: s.maxWaitMs ?? 250,
      sessionTimeout: 10_000,
      maxBytes: s.maxFetchBytes ?? 2 * 1024 * 1024,
      maxBytesPerPartition: s.maxFetchBytes === undefined ? 256 * 1024 : Math.ceil(s.maxFetchBytes / 4),
      retry: config.retry,
    });
    consumers.add(consumer);
    return consumer;
  };

  /** `handled` is called after each batch the handler took. */
  const runConfig = (s: SubscribeOptions, handled: () => void): ConsumerRunConfig => ({
    eachBatchAutoResolve: false,
    autoCommitInterval: 1_000,
    partitionsConsumedConcurrently: opts.concurrency ?? 3,
    eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }) => {
      if (!isRunning() || isStale() || batch.messages.length === 0) return;
      const records: IncomingRecord[] = batch.messages.map((m) => ({
        topic: batch.topic,
        partition: batch.partition,
        offset: m.offset,
        key: m.key === null ? null : m.key.toString("utf8"),
        value: m.value ?? new Uint8Array(),
        headers: headersOf(m.headers),
        timestamp: Number(m.timestamp),
      }));
      const out: Batch = { topic: batch.topic, partition: batch.partition, records, heartbeat };
      // A throw leaves the offset unresolved: kafkajs fetches the batch again (at-least-once).
      await s.handler(out).catch((e) => {
        throw new BatchFailed(e);
      });
      handled();
      resolveOffset(batch.lastOffset());
      await commitOffsetsIfNecessary();
      await heartbeat();
    },
  });

  return {
    kind: "kafka",
    async start() {
      try {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        const missing = opts.topics.filter((t) => !existing.has(t.name));
        if (missing.length > 0) {
          // Idempotent: a topic another replica created meanwhile is not an error.
          await admin.createTopics({
            topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions })),
            waitForLeaders: true,
          });
          opts.log.info("topics created", { topics: missing.map((t) => t.name) });
        }
        await producer.connect();
        connected = true;
      } catch (e) {
        await disconnectAll();
        throw e;
      }
    },

    async publish(topic, records) {
      const compression = KAFKAJS_COMPRESSION[opts.compression?.[topic] ?? "none"];
      // Large publishes go out in sends the broker accepts (send-size.ts), one after another to keep per-key order.
      for (let start = 0; start < records.length; ) {
        const end = sendEnd(records, start);
        await producer.send({
          topic,
          acks: -1,
          compression,
          messages: records.slice(start, end).map((r) => ({
            key: r.key,
            value: Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength),
            headers: r.headers,
          })),
        });
        start = end;
      }
    },

    async subscribe(s: SubscribeOptions): Promise<Subscription> {
      let active = true;
      let launched = false;
      const backoff = createRelaunchBackoff();
      const outage = createOutageLog(opts.log, { groupId: s.groupId, topics: s.topics });
      // kafkajs gives a consumer up for good after a non-retriable error (say, a broker gone for
      // longer than its retries); the subscription then carries on with a new consumer.
      const relaunch = (error: unknown) => {
        if (!active) return;
        const retryMs = backoff.delay();
        outage.failed(error, retryMs);
        setTimeout(() => {
          if (!active) return;
          // A consumer that joins after stop() is let go at once, not left running.
          launch().then((c) => (active ? (current = c) : void c.disconnect()), relaunch);
        }, retryMs);
      };
      const launch = async (): Promise<Consumer> => {
        const consumer = createConsumer(s);
        let joinedAt = backoff.now();
        let handledAny = false;
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart) return outage.failed(payload.error);
          consumers.delete(consumer);
          backoff.consumerFailed(joinedAt, handledAny);
          relaunch(payload.error);
        });
        try {
          const joined = new Promise<void>((resolve) =>
            consumer.on(consumer.events.GROUP_JOIN, () => {
              outage.joined();
              joinedAt = backoff.now();
              resolve();
            }),
          );
          await consumer.connect();
          for (const topic of s.topics) await consumer.subscribe({ topic, fromBeginning: s.fromBeginning ?? false });
          await consumer.run(runConfig(s, () => (handledAny = true)));
          await joined;
          // Only the first consumer seeks: a relaunched one resumes from what its group committed.
          if (s.startAt && !launched)
            for (const [partition, offset] of Object.entries(s.startAt))
              consumer.seek({ topic: s.topics[0]!, partition: Number(partition), offset: String(offset) });
          launched = true;
          return consumer;
        } catch (e) {
          consumers.delete(consumer);
          await consumer.disconnect();
          throw e;
        }
      };
      if (s.startAt) {
        // Only partitions the group never committed: a group that already has progress keeps it.
        const [committed] = await retrying(() => admin.fetchOffsets({ groupId: s.groupId, topics: [s.topics[0]!] }));
        const fresh = new Set(committed?.partitions.filter((p) => Number(p.offset) < 0).map((p) => p.partition));
        s = { ...s, startAt: Object.fromEntries(Object.entries(s.startAt).filter(([p]) => fresh.has(Number(p)))) };
      }
      let current = await launch();
      return {
        async stop() {
          active = false;
          consumers.delete(current);
          await current.disconnect(); // commits resolved offsets first
          if (s.ephemeral)
            await admin
              .deleteGroups([s.groupId])
              .catch((e) =>
                opts.log.debug("could not delete an ephemeral group", { groupId: s.groupId, error: String(e) }),
              );
        },
      };
    },

    async ready() {
      if (!connected) return false;
      try {
        await admin.describeCluster();
        return true;
      } catch {
        return false; // a readiness probe answers "not ready", it does not fail
      }
    },

    async stats(topics, groupIds) {
      const ends = await Promise.all(
        topics.map(async (t) => [t, await retrying(() => admin.fetchTopicOffsets(t))] as const),
      );
      const high = new Map(ends.map(([t, parts]) => [t, new Map(parts.map((p) => [p.partition, Number(p.high)]))]));
      const lag = await Promise.all(
        groupIds.map(async (groupId) => {
          const committed = await retrying(() => admin.fetchOffsets({ groupId, topics }));
          return committed.map(({ topic, partitions }) => ({
            groupId,
            topic,
            lag: partitions.reduce((n, p) => {
              const h = high.get(topic)?.get(p.partition) ?? 0;
              return n + (Number(p.offset) < 0 ? h : Math.max(0, h - Number(p.offset)));
            }, 0),
          }));
        }),
      );
      return {
        topics: ends.map(([topic, parts]) => {
          const byPartition = [...parts].sort((a, b) => a.partition - b.partition).map((p) => Number(p.high));
          return {
            topic,
            partitions: parts.length,
            records: byPartition.reduce((n, h) => n + h, 0),
            ends: byPartition,
          };
        }),
        lag: lag.flat(),
      };
    },

    stop: disconnectAll,
  };
}

/**
 * kafkajs stops a consumer for good when a handler's error is one of its own non-retriable ones
 * (say, from a producer inside the handler). Whatever failed, the batch is to be offered again.
 */
class BatchFailed extends Error {
  override name = "BatchFailed";
  readonly retriable = true;
  constructor(failure: unknown) {
    super(`batch handler failed: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}

function headersOf(h: IHeaders | undefined): Headers {
  const out: Headers = {};
  for (const k in h) {
    const v = h[k];
    const one: Buffer | string | null | undefined = Array.isArray(v) ? v[0] : v;
    // Kafka allows a null header value (read as empty text, as the platformatic adapter does): a throw would redeliver the batch forever.
    if (one !== undefined) out[k] = one === null ? "" : one.toString();
  }
  return out;
}
