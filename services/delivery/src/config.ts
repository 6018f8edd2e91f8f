/** The only reader of the environment. A bad value stops start-up with a message naming the variable. */
import { busConfigSchema } from "@iot/common/bus-config";
import { env, type Env, loadEnv, logLevelSchema } from "@iot/common/env";
import { bindHostSchema } from "@iot/common/listen";
import { type StaticDecode, Type } from "@sinclair/typebox";

const seconds = (name: string, fallback: number, range: { min?: number; max?: number } = {}) =>
  Type.Transform(env.int(name, fallback, range))
    .Decode((s) => s * 1000)
    .Encode((ms) => ms / 1000);

export const deliveryConfigSchema = Type.Object({
  /** Status API, SSE stream, Subscribe RPC, health and metrics. */
  port: env.port("DELIVERY_PORT", 5006),
  bindHost: bindHostSchema,
  /** The shared bus settings; parked batches go to its `deliveryDlq` topic. */
  bus: busConfigSchema,
  /** Consumer groups are `<prefix>.<app id>.webhook`: one per application, so each keeps its own progress. */
  groupPrefix: env.string("DELIVERY_GROUP_PREFIX", "iot-delivery"),
  registryRpcUrl: env.string("REGISTRY_RPC_URL", "http://127.0.0.1:50051", {
    pattern: "^https?://[^/]+",
    expected: "http://host:port",
  }),
  registryUrl: env.string("REGISTRY_URL", "http://127.0.0.1:5002", {
    pattern: "^https?://[^/]+",
    expected: "http://host:port",
  }),
  /** Reads the webhook secrets and api-key hashes; unset works only with a registry on loopback without a token. */
  adminToken: env.optional("REGISTRY_ADMIN_TOKEN", { secret: true }),
  /** Records in one webhook POST at most. */
  batchSize: env.int("DELIVERY_BATCH_SIZE", 100, { min: 1, max: 1000 }),
  /** How long the broker may hold a fetch while nothing is waiting (it answers as soon as a record arrives): lower only costs idle CPU per reader (bench/experiments/fetch-wait.ts). */
  lingerMs: env.int("DELIVERY_LINGER_MS", 250, { min: 0, max: 5000 }),
  /** One POST's whole time (connect, send, response head). */
  timeoutMs: env.int("DELIVERY_TIMEOUT_MS", 10_000, { min: 100, max: 120_000 }),
  /**
   * What one fetch of an application's group may bring, compressed (the bus's default is 256 KiB):
   * a channel holds its fetched records while it awaits its POSTs, ~20 times this once decompressed
   * (bench/memory-5k.ts, 5 interleaved pairs: delivery's peak RSS 211 -> 187 MB at 128 KiB, and no
   * fewer webhook items delivered meanwhile).
   */
  fetchKib: env.int("DELIVERY_FETCH_KIB", 128, { min: 16, max: 2048 }),
  /** Retrying one batch stops after this long: the batch is parked and the application marked failing. */
  giveUpMs: seconds("DELIVERY_GIVE_UP_SECONDS", 300, { min: 0, max: 86_400 }),
  /** Backoff cap between retries. */
  maxBackoffMs: env.int("DELIVERY_MAX_BACKOFF_MS", 30_000, { min: 10, max: 600_000 }),
  /** Hosts webhooks may target even when they resolve to loopback/private addresses (exact host names or IPs). */
  allowedHosts: env.list("DELIVERY_ALLOWED_HOSTS", []),
  /**
   * Records kept decoded for the other applications' groups (a record's message id and the three
   * fields applications choose by; the item's data is the record's own bytes), so applications reading
   * within this many records of each other decode each record once. 1,000 is a fifth of a second at
   * 5,000 msg/s.
   */
  decodedCache: env.int("DELIVERY_DECODED_CACHE", 1000, { min: 1, max: 100_000 }),
  /** Events a stream client may have unread before it is dropped (it resumes with Last-Event-ID). */
  streamQueue: env.int("DELIVERY_STREAM_QUEUE", 1000, { min: 1, max: 100_000 }),
  logLevel: logLevelSchema,
});

export type DeliveryConfig = StaticDecode<typeof deliveryConfigSchema>;

export const loadConfig = (source: Env = process.env): DeliveryConfig => loadEnv(deliveryConfigSchema, source);
