/**
 * One subscription on @platformatic/kafka. Its consumer yields single messages from a stream; the bus
 * hands out per-partition batches, so what the stream holds is drained, grouped by partition, handed
 * to the handler (partitions at the same time, each in order) and each partition's offset committed
 * only after its handler resolved.
 *
 * A handler that throws, a stream that fails (broker gone, group fenced) or a consumer error all end
 * in one place: the consumer is closed and a new one joins from the group's committed offsets, after
 * a backoff. The failed batch is therefore delivered again, and nothing handled is lost. The stream
 * offers no seek, so a fresh consumer is the one way back to a committed offset (kafkajs also restarts
 * its consumer after a failed batch).
 */
import { Consumer, type Message, type MessagesStream } from "@platformatic/kafka";
import type { Batch, SubscribeOptions, Subscription } from "../bus";
import type { Logger } from "../logger";
import { createOutageLog } from "./kafka-log";
import { createRecordReader } from "./platformatic-record";
import { createRelaunchBackoff } from "./relaunch-backoff";

export interface PlatformaticClientOptions {
  clientId: string;
  bootstrapBrokers: string[];
  connectTimeout: number;
  timeout: number;
  retries: number;
  retryDelay: number;
}

type Stream = MessagesStream<Buffer, Buffer, Buffer, Buffer>;
type Msg = Message<Buffer, Buffer, Buffer, Buffer>;

/**
 * Fetch caps bound what a consumer holds: the library's default is 50 MiB a fetch, and the caps count
 * compressed bytes, so a fetch of the zstd enriched topic (~85 B a record on the wire, ~1.9 kB
 * decoded) holds some 20 times its size once read. A reader catching up on 61,000 enriched records
 * peaked at 377 MB RSS with 2 MiB / 256 KiB, 269 MB with 512 / 128 KiB and 218 MB with these
 * (bench/experiments/consume-rss.ts). At 5,000 msg/s a fetch carries far less than either, and a fetch
 * is still ~500 raw records: the stream fetches again while the handler works, up to highWaterMark
 * records. A 250 ms wait answers an idle topic soon; a 10 s session hands a dead replica's partitions
 * over sooner.
 *
 * A reader of uncompressed topics (the raw topic) lets one partition fill the whole fetch. The broker
 * returns whole record batches only, and a batch larger than a partition's cap only from the first
 * partition of a fetch that has data (Kafka's max.partition.fetch.bytes). The bus sends up to 512 KiB
 * at once (send-size.ts), ~72 KiB a partition of raw records at full speed, so at 64 KiB a partition
 * every fetch of a raw backlog carried one partition's one batch (~150 records): per 1,000 records
 * enriched 6.8–7.1 fetch, 5.6–5.9 produce and 3.0–3.9 commit requests, against 0.3, 0.9–1.5 and none
 * for the Kafka Streams peer, and the broker spent 7–10.7 µs a record beside enrichment against
 * 3.3–4.2 beside the peer (bench/kafka-streams.ts, six runs). With a partition filling the fetch,
 * 2.4–2.6 fetches and 4.3–4.6 produce requests, and the broker 5.7–8.2 against 8.5–10.0 µs a record
 * in three interleaved pairs (enrichment's own CPU 19.2–22.0 against 20.9–22.9 µs).
 * Three times the records a fetch also cost enrichment 7–15 MB of peak RSS behind a backlog
 * (bench/memory-5k.ts, loaded machine: 143–154 → 155–160 MB), so such a reader buffers half as many
 * records ahead (highWaterMark 512; 1,024 kept commits at 1.7–2.0 per 1,000 records, 512 gives
 * 2.4–2.5): 147–152 against 145–147 MB. A compressed batch is some 20 times smaller than its send and
 * fits the quarter, so other readers keep the caps above.
 */
const CONSUMER = {
  maxBytes: 256 * 1024,
  maxBytesPerPartition: 64 * 1024,
  maxWaitTime: 250,
  highWaterMark: 1_024,
  sessionTimeout: 10_000,
  rebalanceTimeout: 20_000,
  heartbeatInterval: 1_000,
};
const UNCOMPRESSED_HIGH_WATER_MARK = 512;

export async function createPlatformaticSubscription(
  /** `uncompressed`: every topic read is written without compression (see CONSUMER). */
  deps: { client: PlatformaticClientOptions; log: Logger; uncompressed: boolean },
  s: SubscribeOptions,
): Promise<Subscription> {
  const outage = createOutageLog(deps.log, { groupId: s.groupId, topics: s.topics });
  let active = true;
  const backoff = createRelaunchBackoff();
  let current: Running | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const relaunch = (error: unknown) => {
    if (!active) return;
    const retryMs = backoff.delay();
    outage.failed(error, retryMs);
    timer = setTimeout(() => {
      timer = undefined;
      if (!active) return;
      launch().then((r) => {
        // A consumer that joins after stop() is let go at once, not left running.
        if (active) current = r;
        else void r.close();
      }, relaunch);
    }, retryMs);
  };

  // The reader may choose how long the broker holds a fetch with nothing to return, and lower its caps.
  const maxBytes = s.maxFetchBytes ?? CONSUMER.maxBytes;
  const partition = deps.uncompressed
    ? { maxBytesPerPartition: maxBytes, highWaterMark: UNCOMPRESSED_HIGH_WATER_MARK }
    : { maxBytesPerPartition: s.maxFetchBytes === undefined ? CONSUMER.maxBytesPerPartition : Math.ceil(maxBytes / 4) };
  const options = { ...CONSUMER, maxWaitTime: s.maxWaitMs ?? CONSUMER.maxWaitTime, maxBytes, ...partition };

  const launch = async (): Promise<Running> => {
    const consumer = new Consumer({ ...deps.client, groupId: s.groupId, autocommit: false, ...options });
    try {
      const stream = await consumer.consume({
        topics: s.topics,
        mode: "committed",
        fallbackMode: s.fromBeginning ? "earliest" : "latest",
        autocommit: false,
        ...options,
      });
      outage.joined();
      const joinedAt = backoff.now();
      const running = runBatches(consumer, stream, s.handler);
      running.failed.then(async (error) => {
        await running.close(); // a stop() meanwhile waits for this same close
        if (current === running) current = undefined;
        backoff.consumerFailed(joinedAt, running.handledAny());
        relaunch(error);
      });
      return running;
    } catch (e) {
      await consumer.close(true).catch(() => undefined);
      throw e;
    }
  };

  current = await launch();
  return {
    async stop() {
      active = false;
      clearTimeout(timer);
      await current?.close();
    },
  };
}

interface Running {
  /** Settles with the error that ended this consumer (never when it is closed on purpose). */
  failed: Promise<unknown>;
  /** Lets the batch in hand finish, commits, leaves the group. */
  close(): Promise<void>;
  /** Whether a fetch's batches were all handled in this consumer's life. */
  handledAny(): boolean;
}

function runBatches(consumer: Consumer, stream: Stream, handler: SubscribeOptions["handler"]): Running {
  let closing = false;
  let handledAny = false;
  let fail!: (e: unknown) => void;
  const failed = new Promise<unknown>((resolve) => (fail = resolve));
  let wake: (() => void) | undefined;
  const signal = () => {
    wake?.();
    wake = undefined;
  };
  let streamError: unknown;
  const onError = (e: unknown) => {
    streamError ??= e;
    signal();
  };
  stream.on("error", onError);
  stream.on("readable", signal);
  stream.on("close", signal);
  // The consumer reports a failed rejoin as an 'error' event and then stops heartbeating.
  consumer.on("error", onError);

  // Offsets handled in this consumer's life, by partition: a rebalance makes the stream fetch again
  // from the committed offset, and what was handled since is not offered twice.
  const handledUpTo = new Map<string, bigint>();
  const toRecord = createRecordReader();

  const loop = (async () => {
    while (!closing) {
      if (streamError !== undefined) throw streamError;
      if (stream.destroyed || stream.readableEnded) throw new Error("the consumer's stream ended");
      const batches = drain(stream, consumer, handledUpTo, toRecord);
      if (batches.length === 0) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      const results = await Promise.allSettled(batches.map((b) => handler(b.batch)));
      let failure: unknown;
      results.forEach((r, i) => {
        if (r.status === "rejected") return void (failure ??= r.reason);
        const { key, last } = batches[i]!;
        handledUpTo.set(key, last.offset);
        // Not awaited: the stream sends one commit at a time, merging what is queued meanwhile, so the
        // next batch is not held up by a round trip. A commit the group refuses (rebalance) ends the
        // stream, which ends this loop; closing flushes what is still queued.
        void Promise.resolve(last.commit()).catch(onError);
      });
      if (failure !== undefined) throw new BatchFailed(failure);
      handledAny = true;
    }
  })();
  loop.catch(fail);

  let closed: Promise<void> | undefined;
  return {
    failed,
    handledAny: () => handledAny,
    close() {
      closed ??= (async () => {
        closing = true;
        signal();
        await loop.catch(() => undefined);
        await stream.close().catch(() => undefined);
        await consumer.close(true).catch(() => undefined);
      })();
      return closed;
    },
  };
}

interface PartitionBatch {
  key: string;
  batch: Batch;
  last: Msg;
}

/** What the stream holds now, by partition, less what was handled and what this member no longer owns. */
function drain(
  stream: Stream,
  consumer: Consumer,
  handledUpTo: Map<string, bigint>,
  toRecord: ReturnType<typeof createRecordReader>,
): PartitionBatch[] {
  const byPartition = new Map<string, PartitionBatch>();
  let owned: Set<string> | undefined;
  // The stream holds runs of one partition's records: what this member knows of a partition is looked
  // up when a run starts, not for every record.
  let run:
    | { topic: string; partition: number; key: string; owned: boolean; done?: bigint; group?: PartitionBatch }
    | undefined;
  for (let m: Msg | null = stream.read(); m !== null; m = stream.read()) {
    if (run === undefined || m.partition !== run.partition || m.topic !== run.topic) {
      const key = `${m.topic}:${m.partition}`;
      owned ??= new Set(consumer.assignments?.flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`)) ?? []);
      run = {
        topic: m.topic,
        partition: m.partition,
        key,
        owned: owned.has(key),
        done: handledUpTo.get(key),
        group: byPartition.get(key),
      };
    }
    if (!run.owned) continue;
    if (run.done !== undefined && m.offset <= run.done) continue;
    if (!run.group) {
      run.group = { key: run.key, batch: { topic: m.topic, partition: m.partition, records: [] }, last: m };
      byPartition.set(run.key, run.group);
    }
    run.group.batch.records.push(toRecord(m));
    run.group.last = m;
  }
  return [...byPartition.values()];
}

class BatchFailed extends Error {
  override name = "BatchFailed";
  constructor(failure: unknown) {
    super(`batch handler failed: ${failure instanceof Error ? failure.message : String(failure)}`);
  }
}
