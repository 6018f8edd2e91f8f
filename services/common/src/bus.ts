/**
 * The event bus every service talks to: Kafka (@platformatic/kafka by default, kafkajs with
 * KAFKA_CLIENT=kafkajs) or the in-process bus (for `bun run start`). All keep one contract, checked
 * by one test suite:
 * - `publish` resolves once every record is durably accepted (Kafka: acks=all);
 * - records with one key keep their order (one key, one partition);
 * - a group's offsets move only after its handler resolved for the batch, so a handler that throws
 *   sees the same records again and a crash can duplicate but never lose.
 */
export type Headers = Record<string, string>;

export interface OutgoingRecord {
  key: string | null;
  value: Uint8Array;
  headers?: Headers;
}

export interface IncomingRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Uint8Array;
  headers: Headers;
  /** Broker time of the record, epoch ms. */
  timestamp: number;
}

export interface Batch {
  topic: string;
  partition: number;
  records: IncomingRecord[];
  /**
   * Tells the broker this member is alive (Kafka: its session ends 10 s after the last heartbeat).
   * A handler that may take longer than that (retrying a slow endpoint) calls it while it waits.
   */
  heartbeat?: () => Promise<void>;
}

export interface SubscribeOptions {
  groupId: string;
  topics: string[];
  /** Where a group with no committed offset starts. */
  fromBeginning?: boolean;
  /**
   * The next offset to read, by partition, of its (single) topic, for partitions the group never
   * committed; others start as `fromBeginning` says. Lets a reader resume exactly where an earlier
   * one stopped, or a new group start exactly at the end it saw (not wherever "latest" is when its
   * first fetch happens).
   */
  startAt?: Record<number, number>;
  /** How long the broker may wait to fill a fetch (Kafka; default 250 ms): a low-rate reader's added latency. */
  maxWaitMs?: number;
  /**
   * What one fetch may bring, compressed (a partition a quarter of it); unset, the adapter's cap. A
   * reader that holds its batches long (delivery awaits webhook POSTs) holds less with less.
   */
  maxFetchBytes?: number;
  /**
   * A group of one reader for one session (a stream connection): it is deleted when that reader
   * stops, so abandoned groups neither pile up in the broker nor hold back the in-process bus.
   */
  ephemeral?: boolean;
  handler: (batch: Batch) => Promise<void>;
}

export interface Subscription {
  /** Stops fetching, lets the batch in hand finish, commits, and leaves the group. */
  stop(): Promise<void>;
}

export interface TopicStats {
  topic: string;
  partitions: number;
  /** Records ever written (sum of the partitions' high-water marks). */
  records: number;
  /** Each partition's high-water mark (the next offset), by partition number. */
  ends: number[];
}

export interface GroupLag {
  groupId: string;
  topic: string;
  lag: number;
}

export interface EventBus {
  readonly kind: "kafka" | "memory";
  /** Connects and provisions the configured topics. */
  start(): Promise<void>;
  publish(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Resolves once the subscriber has joined its group. */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  ready(): Promise<boolean>;
  stats(topics: string[], groupIds: string[]): Promise<{ topics: TopicStats[]; lag: GroupLag[] }>;
  stop(): Promise<void>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
}
