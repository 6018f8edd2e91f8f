/**
 * Records from every connection and request, gathered into few large publishes: the first record
 * of a batch waits at most `lingerMs` for others (or until `batchRecords` are waiting), so a
 * thousand connections make one send, not a thousand. One batch is in flight at a time, which
 * keeps each device's records in order and lets the next batch grow while the broker works.
 *
 * A caller's promise resolves only once the broker acknowledged its records (the bus publishes
 * with acks=all); that is when a device gets its PUBACK or its 2xx. While the broker is down the
 * batch in hand is retried with backoff and nothing new is sent; callers wait. Accepted bytes not
 * yet acknowledged are bounded: `submit` waits for room (an MQTT connection is then not read),
 * `trySubmit` says no (HTTP answers 503).
 */
import type { EventBus, OutgoingRecord } from "@iot/common/bus";
import { errorMessage, type Logger } from "@iot/common/logger";

export interface BatcherOptions {
  bus: EventBus;
  topic: string;
  log: Logger;
  lingerMs: number;
  batchRecords: number;
  maxInflightBytes: number;
  backoffMs?: { initial: number; max: number };
  /** Called after each acknowledged batch (records, seconds it took). */
  onBatch?: (records: number, seconds: number) => void;
  onPublishFailure?: () => void;
}

interface Waiting {
  records: OutgoingRecord[];
  bytes: number;
  resolve: () => void;
}

export const recordBytes = (records: OutgoingRecord[]) => records.reduce((n, r) => n + r.value.byteLength + (r.key?.length ?? 0) + 64, 0);

export function createBatcher(o: BatcherOptions) {
  const backoff = o.backoffMs ?? { initial: 100, max: 5_000 };
  let pending: Waiting[] = [];
  let pendingRecords = 0;
  let inflightBytes = 0;
  let sending = false;
  let stopped = false;
  let abandoned = false;
  let linger: ReturnType<typeof setTimeout> | undefined;
  const roomWaiters: Array<() => void> = [];
  let idleWaiters: Array<() => void> = [];

  const hasRoom = (bytes: number) => inflightBytes === 0 || inflightBytes + bytes <= o.maxInflightBytes;

  function release(bytes: number) {
    inflightBytes -= bytes;
    while (roomWaiters.length > 0 && inflightBytes < o.maxInflightBytes) roomWaiters.shift()!();
  }

  function schedule() {
    if (sending || pending.length === 0) return;
    if (pendingRecords >= o.batchRecords || o.lingerMs === 0 || stopped) return void send();
    linger ??= setTimeout(send, o.lingerMs);
  }

  async function send() {
    clearTimeout(linger);
    linger = undefined;
    if (sending || pending.length === 0) return;
    sending = true;
    const batch = pending;
    [pending, pendingRecords] = [[], 0];
    const records = batch.flatMap((w) => w.records);
    let failures = 0;
    const begin = performance.now();
    while (!abandoned) {
      try {
        await o.bus.publish(o.topic, records);
        break;
      } catch (e) {
        o.onPublishFailure?.();
        if (failures++ === 0) o.log.warn("publish to the broker failed; holding devices' acks and retrying", { error: errorMessage(e), records: records.length });
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
    sending = false;
    if (pending.length === 0) idleWaiters.splice(0).forEach((f) => f());
    schedule();
  }

  function enqueue(records: OutgoingRecord[], bytes: number): Promise<void> {
    inflightBytes += bytes;
    return new Promise<void>((resolve) => {
      pending.push({ records, bytes, resolve });
      pendingRecords += records.length;
      schedule();
    });
  }

  return {
    /** Resolves once the broker acknowledged `records`, first waiting for room under the in-flight bound. */
    async submit(records: OutgoingRecord[]): Promise<void> {
      const bytes = recordBytes(records);
      while (!hasRoom(bytes)) await new Promise<void>((resolve) => roomWaiters.push(resolve));
      return enqueue(records, bytes);
    },
    /** Like `submit`, or undefined without queueing anything when the in-flight bound is reached. */
    trySubmit(records: OutgoingRecord[]): Promise<void> | undefined {
      const bytes = recordBytes(records);
      return hasRoom(bytes) && roomWaiters.length === 0 ? enqueue(records, bytes) : undefined;
    },
    inflightBytes: () => inflightBytes,
    /**
     * Sends what is waiting and resolves once every accepted record was acknowledged, or after
     * `timeoutMs` (broker down at shutdown): then it stops retrying and returns how many records were never acked.
     */
    async stop(timeoutMs: number): Promise<number> {
      stopped = true;
      schedule();
      if (pending.length === 0 && !sending) return 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const idle = await Promise.race([
        new Promise<boolean>((resolve) => idleWaiters.push(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      if (idle) return 0;
      abandoned = true;
      return pendingRecords + (sending ? 1 : 0);
    },
  };
}

export type Batcher = ReturnType<typeof createBatcher>;
