/**
 * Between the models and the broker: a bounded buffer drained in batches. Records are spread over a
 * few lanes by key; each lane has one batch in flight at a time, so batches pipeline to the broker
 * while one device's records still go out in order (a retried batch never overtakes a later one of
 * the same key). While the broker is away each lane retries with exponential backoff and the buffer
 * fills; once full, new records are refused and counted as dropped (reason `buffer_full`) —
 * refused rather than evicting old ones, so what the models hand over is exactly what gets
 * published, which trends rely on. `stop` flushes within a deadline and counts what it could not
 * deliver (reason `shutdown`). The bus is started by its owner; a publish that fails (the broker
 * went away) is retried from the buffer, never by starting the bus here.
 */
import type { EventBus, OutgoingRecord } from "@iot/common/bus";
import { sendEnd } from "@iot/common/bus/send-size";
import { fnv1a } from "@iot/common/hash";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { SimulatorMetrics } from "./simulator-metrics";

export interface PublisherOptions {
  /** The bus, or anything that publishes like it (the device transports). */
  bus: Pick<EventBus, "publish">;
  topic: string;
  log: Logger;
  metrics: SimulatorMetrics;
  maxBuffered: number;
  backoffMs?: { initial: number; max: number };
}

/** Batches in flight at once: enough to overlap encoding with the broker's round trip (measured: more did not help). */
const LANES = 2;
const DROP_LOG_EVERY_MS = 10_000;

interface Lane {
  queue: OutgoingRecord[];
  head: number;
  wakeIdle?: () => void;
  cutPause?: () => void;
}

export function createPublisher(o: PublisherOptions) {
  const backoff = o.backoffMs ?? { initial: 100, max: 5_000 };
  const lanes: Lane[] = Array.from({ length: LANES }, () => ({ queue: [], head: 0 }));
  let buffered = 0;
  let running = false;
  let abandoned = false;
  let failingLanes = 0;
  let failingSince = 0;
  let unreportedDrops = 0;
  let lastDropLog = 0;
  let loops: Promise<void>[] = [];
  const idleWaiters: Array<() => void> = [];

  const laneOf = (key: string | null) => lanes[fnv1a(key ?? "") % lanes.length]!;
  const wake = (lane: Lane) => {
    lane.wakeIdle?.();
    lane.cutPause?.();
  };
  const pause = (lane: Lane, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      lane.cutPause = () => (clearTimeout(timer), resolve());
    }).finally(() => (lane.cutPause = undefined));
  const settleIdle = () => buffered === 0 && idleWaiters.splice(0).forEach((f) => f());

  function drop(reason: "buffer_full" | "shutdown", n: number) {
    o.metrics.dropped.inc({ reason }, n);
    unreportedDrops += n;
    if (reason === "shutdown" || Date.now() - lastDropLog >= DROP_LOG_EVERY_MS) {
      o.log.warn("dropped records", { reason, dropped: unreportedDrops, buffered, limit: o.maxBuffered });
      [unreportedDrops, lastDropLog] = [0, Date.now()];
    }
  }

  /**
   * One send of the bus's own cut: a failed batch is retried whole, and it never holds more than one
   * send, so a retry re-sends at most what one send carried (a duplicate only if that send was in
   * fact written: delivery is at-least-once).
   */
  const nextBatch = (lane: Lane): OutgoingRecord[] => lane.queue.slice(lane.head, sendEnd(lane.queue, lane.head));

  async function run(lane: Lane) {
    let failures = 0;
    while (!abandoned && (running || lane.queue.length > lane.head)) {
      if (lane.queue.length === lane.head) {
        await new Promise<void>((resolve) => (lane.wakeIdle = resolve)).finally(() => (lane.wakeIdle = undefined));
        continue;
      }
      const batch = nextBatch(lane);
      try {
        const begin = performance.now();
        await o.bus.publish(o.topic, batch);
        o.metrics.batchSeconds.observe((performance.now() - begin) / 1000);
        if (abandoned) break;
        lane.head += batch.length;
        if (lane.head > 4096 && lane.head * 2 > lane.queue.length)
          [lane.queue, lane.head] = [lane.queue.slice(lane.head), 0];
        buffered -= batch.length;
        o.metrics.published.inc({}, batch.length);
        if (failures > 0 && --failingLanes === 0)
          o.log.info("broker reachable again", { outage_seconds: (Date.now() - failingSince) / 1000, buffered });
        failures = 0;
        settleIdle();
      } catch (e) {
        if (abandoned) break;
        if (failures++ === 0 && failingLanes++ === 0) {
          failingSince = Date.now();
          o.log.warn("publish failed; buffering and retrying with backoff", { error: errorMessage(e), buffered });
        }
        o.metrics.publishFailures.inc();
        await pause(lane, Math.min(backoff.max, backoff.initial * 2 ** (failures - 1)));
      }
    }
  }

  return {
    buffered: () => buffered,
    /**
     * Queues the record `make` builds; when the buffer is full, counts it as dropped and returns false
     * without building it (an overloaded process should not spend CPU encoding what it cannot send).
     */
    offer(make: () => OutgoingRecord): boolean {
      if (buffered >= o.maxBuffered) {
        drop("buffer_full", 1);
        return false;
      }
      const r = make();
      const lane = laneOf(r.key);
      lane.queue.push(r);
      buffered++;
      lane.wakeIdle?.();
      return true;
    },
    start() {
      running = true;
      loops = lanes.map(run);
    },
    /** Resolves when everything offered so far has been acknowledged. */
    idle(): Promise<void> {
      return buffered === 0 || abandoned ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
    /** Flushes what is buffered, waiting at most `timeoutMs`; what is left then is counted as dropped. */
    async stop(timeoutMs: number) {
      running = false;
      lanes.forEach(wake);
      let timer: ReturnType<typeof setTimeout> | undefined;
      const flushed = await Promise.race([
        Promise.all(loops).then(() => true),
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (flushed) return;
      abandoned = true;
      lanes.forEach(wake);
      drop("shutdown", buffered);
      lanes.forEach((lane) => ([lane.queue, lane.head] = [[], 0]));
      buffered = 0;
      settleIdle();
    },
  };
}

export type Publisher = ReturnType<typeof createPublisher>;
