/**
 * The broker the bench runs against, and the few admin steps it needs. KAFKA_BROKERS set: that
 * broker, untouched. Otherwise this repo's broker (scripts/kafka.sh) is reused when it runs, or
 * started with a benchmark heap and stopped again by whoever started it.
 */
import { Admin as PlatformaticAdmin } from "@platformatic/kafka";
import { Kafka, logLevel } from "kafkajs";
import type { EventBus, IncomingRecord } from "@iot/common/bus";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { createPlatformaticBus } from "@iot/common/bus/platformatic-bus";
import { retrying } from "@iot/common/bus/retrying";
import { createLogger } from "@iot/common/logger";
import { ROOT } from "./results";
import type { KafkaClient } from "./services";

export interface Broker {
  brokers: string;
  version: string;
  /** The broker's pid when it is this repo's local broker (for its CPU and memory). */
  pid?: number;
  startedHere: boolean;
  stop(): Promise<void>;
}

const BENCH_HEAP = "-Xms512m -Xmx1g";
const READ_BACK_TIMEOUT_MS = 120_000;

async function kafkaScript(command: "status" | "start" | "stop", env: Record<string, string> = {}) {
  const proc = Bun.spawn(["bash", "scripts/kafka.sh", command], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const m = /^kafka (\S+) (?:ready|running|already running) on (\S+) \(pid (\d+)\)/m.exec(out);
  return { ok: code === 0, out, err, local: m ? { version: m[1]!, address: m[2]!, pid: Number(m[3]) } : undefined };
}

export async function useBroker(): Promise<Broker> {
  const given = process.env.KAFKA_BROKERS?.trim();
  const { local } = await kafkaScript("status");
  const none = async () => {};
  if (given) {
    const ours = local?.address === given ? local : undefined;
    return {
      brokers: given,
      version: process.env.BENCH_KAFKA_VERSION ?? ours?.version ?? "unknown (external broker)",
      pid: ours?.pid,
      startedHere: false,
      stop: none,
    };
  }
  if (local) {
    console.error(
      `reusing this repo's kafka ${local.version} on ${local.address} (pid ${local.pid}; its heap is whatever it was started with)`,
    );
    return { brokers: local.address, version: local.version, pid: local.pid, startedHere: false, stop: none };
  }
  const heap = process.env.KAFKA_HEAP ?? BENCH_HEAP;
  console.error(`starting kafka (scripts/kafka.sh start, KAFKA_HEAP="${heap}")…`);
  const started = await kafkaScript("start", { KAFKA_HEAP: heap });
  if (!started.ok || !started.local) throw new Error(`scripts/kafka.sh start failed:\n${started.out}\n${started.err}`);
  const s = started.local;
  return {
    brokers: s.address,
    version: s.version,
    pid: s.pid,
    startedHere: true,
    async stop() {
      const r = await kafkaScript("stop");
      console.error(r.out.trim());
    },
  };
}

/**
 * A bus with no topics of its own to provision: for producing, reading back and stats. kafkajs unless
 * `client` says otherwise (a reader that should see what the services' default client sees).
 */
export async function benchBus(brokers: string, clientId: string, client: KafkaClient = "kafkajs"): Promise<EventBus> {
  const options = {
    brokers: brokers.split(","),
    clientId,
    topics: [],
    log: createLogger(clientId, { level: "error" }),
  };
  const bus = client === "kafkajs" ? createKafkaBus(options) : createPlatformaticBus(options);
  await bus.start();
  return bus;
}

export function createAdmin(brokers: string) {
  const admin = new Kafka({ clientId: "bench-admin", brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
  let connected: Promise<void> | undefined;
  const ready = () => (connected ??= admin.connect());
  // kafkajs's admin has no DescribeLogDirs.
  let logDirs: PlatformaticAdmin | undefined;
  return {
    async createTopics(names: string[], partitions: number, configs: Record<string, string> = {}) {
      await ready();
      const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
      // Leaders, waited for below: kafkajs's own wait (on unless turned off) gives up on a loaded broker's
      // passing UNKNOWN_TOPIC_OR_PARTITION, which ended pipeline runs here.
      await admin.createTopics({
        topics: names.map((topic) => ({ topic, numPartitions: partitions, configEntries })),
        waitForLeaders: false,
      });
      await retrying(
        async () => {
          const { topics } = await admin.fetchTopicMetadata({ topics: names });
          if (topics.some((t) => t.partitions.length < partitions || t.partitions.some((p) => p.leader < 0)))
            throw Object.assign(new Error("no leaders yet"), { retriable: true });
        },
        { attempts: 10 },
      );
    },
    async deleteTopics(names: string[]) {
      await ready();
      const existing = new Set(await admin.listTopics());
      const topics = names.filter((t) => existing.has(t));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    },
    /** Records ever written to the topics (sum of high-water marks). */
    async records(names: string[]): Promise<number> {
      await ready();
      // Right after createTopics the broker may answer NOT_LEADER for a moment.
      const all = await Promise.all(names.map((topic) => retrying(() => admin.fetchTopicOffsets(topic))));
      return all.flat().reduce((n, p) => n + Number(p.high), 0);
    },
    /** Resolves once the topics hold at least `count` records; the time it took in ms. */
    async waitForRecords(names: string[], count: number, timeoutMs: number, pollMs = 250): Promise<number> {
      const started = performance.now();
      while ((await this.records(names)) < count) {
        if (performance.now() - started > timeoutMs)
          throw new Error(`${names.join(", ")}: fewer than ${count} records after ${timeoutMs / 1000} s`);
        await Bun.sleep(pollMs);
      }
      return performance.now() - started;
    },
    /** What the topics take on the broker's disk: record batches as sent, compressed or not (the bytes on the wire). */
    async storedBytes(names: string[]): Promise<number> {
      await ready();
      const topics = await Promise.all(
        names.map(async (name) => ({
          name,
          partitions: (await retrying(() => admin.fetchTopicOffsets(name))).map((p) => p.partition),
        })),
      );
      const described = await (logDirs ??= new PlatformaticAdmin({
        clientId: "bench-admin-logdirs",
        bootstrapBrokers: brokers.split(","),
      })).describeLogDirs({ topics });
      return described
        .flatMap((b) =>
          b.results.flatMap((r) => r.topics.flatMap((t) => t.partitions.map((p) => Number(p.partitionSize)))),
        )
        .reduce((n, x) => n + x, 0);
    },
    disconnect: async () => {
      await logDirs?.close();
      await admin.disconnect();
    },
  };
}
export type Admin = ReturnType<typeof createAdmin>;

export interface ReadBack {
  records: number;
  distinct_message_ids: number;
  value_bytes: number;
  /** Record timestamps (the producer's create time), epoch ms. */
  first_ms: number;
  last_ms: number;
}

/**
 * Reads a finished topic from the beginning: how many records, their bytes, distinct `message-id`s
 * (duplicates from redelivery show as records > distinct), and the first and last record time.
 * Done after a run, so the reader never competes with what was measured. `each` sees every record.
 */
export async function readBack(
  bus: EventBus,
  admin: Admin,
  topic: string,
  idHeader: string,
  each?: (m: IncomingRecord) => void,
): Promise<ReadBack> {
  const expected = await admin.records([topic]);
  const ids = new Set<string>();
  const r: ReadBack = { records: 0, distinct_message_ids: 0, value_bytes: 0, first_ms: Infinity, last_ms: -Infinity };
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const sub = await bus.subscribe({
    groupId: `bench-readback-${crypto.randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    handler: async (batch) => {
      for (const m of batch.records) {
        r.records++;
        r.value_bytes += m.value.byteLength;
        if (m.timestamp < r.first_ms) r.first_ms = m.timestamp;
        if (m.timestamp > r.last_ms) r.last_ms = m.timestamp;
        const id = m.headers[idHeader];
        if (id !== undefined) ids.add(id);
        each?.(m);
      }
      if (r.records >= expected) done();
    },
  });
  let timer: Timer | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new Error(`read back ${topic}: ${r.records}/${expected} records after ${READ_BACK_TIMEOUT_MS / 1000} s`),
        ),
      READ_BACK_TIMEOUT_MS,
    );
  });
  try {
    if (expected > 0) await Promise.race([finished, timeout]);
  } finally {
    clearTimeout(timer);
    await sub.stop();
  }
  r.distinct_message_ids = ids.size;
  return r;
}
