/**
 * Records from every connection and request, gathered into few large publishes: the first record
 * of a batch waits at most `lingerMs` for others (or until `batchRecords` are waiting), so a
 * thousand connections make a few sends, not a thousand. Records are spread over a few lanes by
 * device; each lane has one send in flight (cut to what the bus sends at once), so sends pipeline
 * to the broker while one device's records stay in order.
 *
 * A caller's promise resolves only once the broker acknowledged its records (the bus publishes
 * with acks=all); that is when a device gets its PUBACK or its 2xx. While the broker is down a
 * lane retries its send with backoff and sends nothing newer; callers wait. Accepted bytes not yet
 * acknowledged are bounded: `submit` waits for room (an MQTT connection is then not read),
 * `trySubmit` says no (HTTP answers 503).
 */
import type { EventBus, OutgoingRecord } from "@iot/common/bus";
import { MAX_SEND_BYTES, recordBytes } from "@iot/common/bus/send-size";
import { fnv1a } from "@iot/common/hash";
import { errorMessage, type Logger } from "@iot/common/logger";

export interface BatcherOptions {
  bus: Pick<EventBus, "publish">;
  topic: string;
  log: Logger;
  lingerMs: number;
  batchRecords: number;
  maxInflightBytes: number;
  backoffMs?: { initial: number; max: number };
  /** Called after each acknowledged send (records, seconds it took). */
  onBatch?: (records: number, seconds: number) => void;
  onPublishFailure?: () => void;
}

/** Sends in flight at once: as in the simulator's publisher, where more than 2 did not help on this machine. */
const LANES = 2;

interface Waiting {
  records: OutgoingRecord[];
  bytes: number;
  resolve: () => void;
}

interface Lane {
  pending: Waiting[];
  pendingRecords: number;
  sending: boolean;
  /** Records of the send in flight. */
  sendingRecords: number;
  linger?: ReturnType<typeof setTimeout>;
}

const bytesOf = (records: OutgoingRecord[]) => records.reduce((n, r) => n + recordBytes(r), 0);

export function createBatcher(o: BatcherOptions) {
  const backoff = o.backoffMs ?? { initial: 100, max: 5_000 };
  const lanes: Lane[] = Array.from({ length: LANES }, () => ({
    pending: [],
    pendingRecords: 0,
    sending: false,
    sendingRecords: 0,
  }));
  let inflightBytes = 0;
  let stopping = false;
  let abandoned = false;
  const roomWaiters: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  const hasRoom = (bytes: number) => inflightBytes === 0 || inflightBytes + bytes <= o.maxInflightBytes;
  const idle = () => lanes.every((l) => !l.sending && l.pending.length === 0);

  function release(bytes: number) {
    inflightBytes -= bytes;
    while (roomWaiters.length > 0 && inflightBytes < o.maxInflightBytes) roomWaiters.shift()!();
  }

  function schedule(lane: Lane) {
    if (lane.sending || lane.pending.length === 0) return;
    if (lane.pendingRecords >= o.batchRecords || o.lingerMs === 0 || stopping) return void send(lane);
    lane.linger ??= setTimeout(() => send(lane), o.lingerMs);
  }

  /** The waiting entries of one send: whole entries, at most what the bus sends at once (at least one). */
  function take(lane: Lane): Waiting[] {
    let n = 0;
    for (let bytes = 0; n < lane.pending.length; n++) {
      bytes += lane.pending[n]!.bytes;
      if (bytes > MAX_SEND_BYTES && n > 0) break;
    }
    const batch = lane.pending.splice(0, n);
    lane.pendingRecords -= batch.reduce((k, w) => k + w.records.length, 0);
    return batch;
  }

  async function send(lane: Lane) {
    clearTimeout(lane.linger);
    lane.linger = undefined;
    if (lane.sending || lane.pending.length === 0) return;
    lane.sending = true;
    const batch = take(lane);
    const records = batch.flatMap((w) => w.records);
    lane.sendingRecords = records.length;
    let failures = 0;
    const begin = performance.now();
    while (!abandoned) {
      try {
        await o.bus.publish(o.topic, records);
        break;
      } catch (e) {
        o.onPublishFailure?.();
        if (failures++ === 0)
          o.log.warn("publish to the broker failed; holding devices' acks and retrying", {
            error: errorMessage(e),
            records: records.length,
          });
        await Bun.sleep(Math.min(backoff.max, backoff.initial * 2 ** (failures - 1)));
      }
    }
    // Given up at shutdown: nobody is acked for what was not written.
    if (abandoned) return;
    if (failures > 0) o.log.info("broker reachable again", { retries: failures });
    o.onBatch?.(records.length, (performance.now() - begin) / 1000);
    for (const w of batch) {
      release(w.bytes);
      w.resolve();
    }
    lane.sending = false;
    lane.sendingRecords = 0;
    if (idle()) idleWaiters.splice(0).forEach((f) => f());
    schedule(lane);
  }

  function enqueue(records: OutgoingRecord[], bytes: number): Promise<void> {
    inflightBytes += bytes;
    const lane = lanes[fnv1a(records[0]?.key ?? "") % LANES]!;
    return new Promise<void>((resolve) => {
      lane.pending.push({ records, bytes, resolve });
      lane.pendingRecords += records.length;
      schedule(lane);
    });
  }

  async function submitWhenRoom(records: OutgoingRecord[], bytes: number): Promise<void> {
    while (!hasRoom(bytes)) await new Promise<void>((resolve) => roomWaiters.push(resolve));
    return enqueue(records, bytes);
  }

  return {
    /** Resolves once the broker acknowledged `records` (one device's), first waiting for room under the in-flight bound. */
    submit(records: OutgoingRecord[]): Promise<void> {
      const bytes = bytesOf(records);
      // With room (the usual case) no extra promise per message.
      return hasRoom(bytes) ? enqueue(records, bytes) : submitWhenRoom(records, bytes);
    },
    /** Like `submit`, or undefined without queueing anything when the in-flight bound is reached. */
    trySubmit(records: OutgoingRecord[]): Promise<void> | undefined {
      const bytes = bytesOf(records);
      return hasRoom(bytes) && roomWaiters.length === 0 ? enqueue(records, bytes) : undefined;
    },
    inflightBytes: () => inflightBytes,
    /**
     * Sends what is waiting and resolves once every accepted record was acknowledged, or after
     * `timeoutMs` (broker down at shutdown): then it stops retrying and returns how many records were never acked.
     */
    async stop(timeoutMs: number): Promise<number> {
      stopping = true;
      lanes.forEach(schedule);
      if (idle()) return 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = await Promise.race([
        new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (done) return 0;
      abandoned = true;
      return lanes.reduce((n, l) => n + l.pendingRecords + l.sendingRecords, 0);
    },
  };
}

export type Batcher = ReturnType<typeof createBatcher>;
