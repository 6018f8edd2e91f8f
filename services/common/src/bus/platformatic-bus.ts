/**
 * The Kafka adapter on @platformatic/kafka, the default client: it encodes a record in about a third of
 * kafkajs's CPU (bench/README.md). Same contract and guarantees as kafka-bus.ts: acks=all, per-key
 * order with kafkajs's (and Java's) partitioning, explicit timeouts, every client closed on stop and
 * on a failed start. Subscriptions live in platformatic-subscription.ts; where a group starts
 * (`startAt`) and the deletion of an ephemeral one, in platformatic-group.ts.
 */
import type { KafkaSasl } from "./kafka-bus";
import {
  Admin,
  compatibilityPartitioner,
  findErrorBy,
  type MessageToProduce,
  ProduceAcks,
  Producer,
} from "@platformatic/kafka";
import type { EventBus, SubscribeOptions, Subscription, TopicSpec } from "../bus";
import type { Logger } from "../logger";
import { HEADER } from "../wire";
import { commitStartOffsets, deleteGroup } from "./platformatic-group";
import { createPlatformaticSubscription, type PlatformaticClientOptions } from "./platformatic-subscription";
import { retrying } from "./retrying";
import { createSendCoalescer } from "./send-coalescer";
import { nextSend } from "./send-size";

export interface PlatformaticBusOptions {
  brokers: string[];
  clientId: string;
  topics: TopicSpec[];
  log: Logger;
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
  /** Batch compression by topic; topics not named are sent uncompressed. */
  compression?: Record<string, Compression>;
  ssl?: boolean;
  sasl?: KafkaSasl;
}

type Compression = "zstd" | "gzip" | "none";
type Msg = MessageToProduce<string, Buffer, Buffer, Buffer>;

/**
 * Record values pass through as bytes; keys are text. Headers have no serializer: `headerEncoder`
 * hands the client their bytes, which it then takes as they are (one Map a record, not three).
 */
const serializers = () => ({
  key: utf8Memo(10_000),
  value: (v: Buffer | undefined) => v,
});

/**
 * Headers whose value is new on every record (the input's identity and broker time): looked up in the
 * memo below they only filled it with entries that never repeat, after which every lookup missed
 * (~0.7 µs a record more than encoding them, bench/README.md).
 */
const PER_RECORD_HEADERS: ReadonlySet<string> = new Set([HEADER.messageId, HEADER.sourceTimestamp]);

/** A record's headers as the client writes them: names and repeating values from memos, the per-record values encoded. */
function headerEncoder() {
  const name = utf8Memo(256);
  const value = utf8Memo(10_000);
  return (headers: Record<string, string>): Map<Buffer, Buffer> => {
    const map = new Map<Buffer, Buffer>();
    for (const k in headers) {
      const v = headers[k]!;
      map.set(name(k), PER_RECORD_HEADERS.has(k) ? Buffer.from(v, "utf8") : value(v));
    }
    return map;
  };
}

/**
 * Records repeat the same few header names, and their keys and most header values (device ids,
 * content types, transports) repeat too; making their bytes was a measurable share of a produce
 * (bench/README.md), so each short string is encoded once. Bounded in entries and length, since
 * publishers choose them; past the bound strings are encoded each time.
 */
function utf8Memo(maxEntries: number, maxLength = 128) {
  const known = new Map<string, Buffer>();
  function encode(text: string): Buffer;
  function encode(text: string | undefined): Buffer | undefined;
  function encode(text: string | undefined) {
    if (text === undefined) return undefined;
    let bytes = known.get(text);
    if (!bytes) {
      bytes = Buffer.from(text, "utf8");
      if (known.size < maxEntries && text.length <= maxLength) known.set(text, bytes);
    }
    return bytes;
  }
  return encode;
}

/**
 * The same partition for a key as kafkajs's DefaultPartitioner and Java's (murmur2, positive), so a
 * switch of client keeps each key on its partition and so in order. Keyless records rotate.
 * The client's murmur2 works in BigInt, a measurable share of ingest's CPU per record; keys (device
 * ids) repeat, so each key's hash is remembered, for a bounded number of keys.
 */
export function keyPartitioner(maxKeys = 10_000) {
  let next = 0;
  const known = new Map<string, number>();
  return (message: { key?: unknown }, key: Buffer | undefined) => {
    if (!key) return next++ & 0x7fffffff;
    const name = typeof message.key === "string" ? message.key : undefined;
    let hash = name === undefined ? undefined : known.get(name);
    if (hash === undefined) {
      hash = compatibilityPartitioner(message as never, key);
      if (name !== undefined && known.size < maxKeys) known.set(name, hash);
    }
    return hash;
  };
}

const SASL_MECHANISMS = { plain: "PLAIN", "scram-sha-256": "SCRAM-SHA-256", "scram-sha-512": "SCRAM-SHA-512" } as const;

export function createPlatformaticBus(opts: PlatformaticBusOptions): EventBus {
  const client: PlatformaticClientOptions = {
    clientId: opts.clientId,
    bootstrapBrokers: opts.brokers,
    connectTimeout: opts.connectionTimeoutMs ?? 3_000,
    timeout: opts.requestTimeoutMs ?? 10_000,
    retries: opts.retries ?? 5,
    retryDelay: 200,
    ...(opts.ssl ? { tls: {} } : {}),
    ...(opts.sasl
      ? {
          sasl: {
            mechanism: SASL_MECHANISMS[opts.sasl.mechanism],
            username: opts.sasl.username,
            password: opts.sasl.password,
          },
        }
      : {}),
  };
  const admin = new Admin(client);
  // Idempotent: the client retries a whole produce request when one partition of it failed (say, no
  // leader yet on a new topic), and without producer ids the partitions that had succeeded got their
  // records twice (4 new topics in 15 here). The broker now drops such repeats, as Java's default does.
  const producer = new Producer<string, Buffer, Buffer, Buffer>({
    ...client,
    acks: ProduceAcks.ALL,
    idempotent: true,
    autocreateTopics: false,
    partitioner: keyPartitioner(),
    serializers: serializers(),
  });
  const headerMap = headerEncoder();
  const send = createSendCoalescer((messages: Msg[], compression: Compression) =>
    producer.send({ messages, compression }),
  );
  const subscriptions = new Set<Subscription>();
  let connected = false;

  const closeAll = async () => {
    connected = false;
    await Promise.allSettled([...subscriptions].map((s) => s.stop()));
    subscriptions.clear();
    await Promise.allSettled([producer.close(), admin.close()]);
  };

  // Right after createTopics a partition may have no leader for a moment; a produce then fails.
  const waitForLeaders = (names: string[]) =>
    retrying(async () => {
      const meta = await admin.metadata({ topics: names, forceUpdate: true });
      for (const name of names) {
        if (meta.topics.get(name)?.partitions.some((p) => p.leader < 0) ?? true)
          throw Object.assign(new Error(`topic ${name} has no leader yet`), { retriable: true });
      }
    });

  return {
    kind: "kafka",
    async start() {
      try {
        const existing = new Set(await admin.listTopics());
        const missing = opts.topics.filter((t) => !existing.has(t.name));
        if (missing.length > 0) {
          await admin
            .createTopics({ topics: missing.map((t) => ({ topic: t.name, partitions: t.partitions })) })
            .catch((e) => {
              // Idempotent: a topic another replica created meanwhile is not an error.
              if (!findErrorBy(e, "apiId", "TOPIC_ALREADY_EXISTS")) throw e;
            });
          await waitForLeaders(missing.map((t) => t.name));
          opts.log.info("topics created", { topics: missing.map((t) => t.name) });
        }
        await producer.metadata({ topics: opts.topics.map((t) => t.name) });
        connected = true;
      } catch (e) {
        await closeAll();
        throw e;
      }
    },

    async publish(topic, records) {
      const compression = opts.compression?.[topic] ?? "none";
      // Large publishes go out in sends the broker accepts (send-size.ts), one after another to keep per-key order.
      for (let start = 0; start < records.length; ) {
        const { end, bytes } = nextSend(records, start);
        const messages = new Array(end - start);
        for (let i = start; i < end; i++) {
          const r = records[i]!;
          // The client wants Buffers; most values already are one (the enrichment encoder's JSON is).
          const value = Buffer.isBuffer(r.value)
            ? r.value
            : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
          messages[i - start] = { topic, key: r.key ?? undefined, value, headers: r.headers && headerMap(r.headers) };
        }
        await send(messages, bytes, compression);
        start = end;
      }
    },

    async subscribe(s: SubscribeOptions): Promise<Subscription> {
      if (s.startAt) await commitStartOffsets(admin, s, opts.log);
      const uncompressed = s.topics.every((t) => (opts.compression?.[t] ?? "none") === "none");
      const sub = await createPlatformaticSubscription({ client, log: opts.log, uncompressed }, s).catch(async (e) => {
        // No one will stop it: the start just committed would keep an ephemeral group in the broker.
        if (s.ephemeral) await deleteGroup(admin, s.groupId, opts.log);
        throw e;
      });
      subscriptions.add(sub);
      return {
        async stop() {
          subscriptions.delete(sub);
          await sub.stop(); // the member has left: an empty group can be deleted
          if (s.ephemeral) await deleteGroup(admin, s.groupId, opts.log);
        },
      };
    },

    async ready() {
      if (!connected) return false;
      try {
        await admin.metadata({ topics: opts.topics.map((t) => t.name), forceUpdate: true });
        return true;
      } catch {
        return false; // a readiness probe answers "not ready", it does not fail
      }
    },

    async stats(topics, groupIds) {
      const meta = await retrying(() => admin.metadata({ topics, forceUpdate: true }));
      const partitionsOf = (t: string) => Array.from({ length: meta.topics.get(t)?.partitionsCount ?? 0 }, (_, i) => i);
      const listed = await retrying(() =>
        admin.listOffsets({
          topics: topics.map((name) => ({
            name,
            partitions: partitionsOf(name).map((partitionIndex) => ({ partitionIndex, timestamp: -1n })),
          })),
        }),
      );
      const high = new Map(
        listed.map((t) => [t.name, new Map(t.partitions.map((p) => [p.partitionIndex, Number(p.offset)]))]),
      );
      const ends = topics.map((t) => partitionsOf(t).map((p) => high.get(t)?.get(p) ?? 0));
      const committed =
        groupIds.length === 0
          ? []
          : await retrying(() =>
              admin.listConsumerGroupOffsets({
                groups: groupIds.map((groupId) => ({
                  groupId,
                  topics: topics.map((name) => ({ name, partitionIndexes: partitionsOf(name) })),
                })),
              }),
            );
      const lag = committed.flatMap((g) =>
        topics.map((topic) => {
          const parts = g.topics.find((t) => t.name === topic)?.partitions ?? [];
          const lagOf = (p: number) => {
            const h = high.get(topic)?.get(p) ?? 0;
            const c = Number(parts.find((x) => x.partitionIndex === p)?.committedOffset ?? -1n);
            return c < 0 ? h : Math.max(0, h - c);
          };
          return { groupId: g.groupId, topic, lag: partitionsOf(topic).reduce((n, p) => n + lagOf(p), 0) };
        }),
      );
      return {
        topics: topics.map((topic, i) => ({
          topic,
          partitions: ends[i]!.length,
          records: ends[i]!.reduce((n, h) => n + h, 0),
          ends: ends[i]!,
        })),
        lag,
      };
    },

    stop: closeAll,
  };
}
