/**
 * One stream connection (SSE or the Subscribe RPC): the application's records from a position on,
 * as events whose id is that position, so a client that reconnects with `Last-Event-ID` continues
 * exactly after the last event it received, with no gap and no repeat, while the topic retains it.
 *
 * The position is the next offset of every partition of the topic ("12.0.7.3.9.4"). Each session
 * reads in a consumer group of its own (`<prefix>.<app>.stream.<uuid>`) that starts at that
 * position, so sessions never share or steal partitions and a fresh connection starts at the
 * topic's end. Events wait in a bounded queue: a client that leaves it full for a few seconds is
 * dropped, and resumes from its last id.
 */
import type { Batch, EventBus, Subscription } from "@iot/common/bus";
import { type Decoder, type Delivery, select, type Wants } from "./records";

/** How long a full queue may wait for the client before the client is dropped. */
const STALL_MS = 5_000;

export interface StreamEvent {
  id: string;
  delivery: Delivery;
}

export interface SessionOptions {
  bus: EventBus;
  topic: string;
  groupId: string;
  wants: Wants;
  decoder: Decoder;
  /** From `Last-Event-ID`; undefined: the topic's end now. */
  resumeFrom?: number[] | undefined;
  lingerMs: number;
  /** Events held for a slow client at most. */
  queueLimit: number;
  onBad: () => void;
}

/** "12.0.7" → [12, 0, 7]; undefined for anything else (the client then starts at the end). */
export function parsePosition(id: string | null | undefined, partitions: number): number[] | undefined {
  if (!id || !/^\d+(\.\d+)*$/.test(id)) return undefined;
  const p = id.split(".").map(Number);
  return p.length === partitions && p.every(Number.isSafeInteger) ? p : undefined;
}

export type Session = Awaited<ReturnType<typeof openSession>>;

export async function openSession(o: SessionOptions) {
  const { topics } = await o.bus.stats([o.topic], []);
  const ends = topics[0]?.ends ?? [];
  const position = o.resumeFrom && o.resumeFrom.length === ends.length ? [...o.resumeFrom] : [...ends];
  const queue: StreamEvent[] = [];
  let wake: (() => void) | undefined;
  let closed: string | undefined;
  /** Handlers waiting for room (one per partition being read). */
  let waiting: Array<() => void> = [];
  const drained = () => {
    const w = waiting;
    waiting = [];
    w.forEach((f) => f());
  };
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  let ended: (why: string) => void = () => {};
  const closedPromise = new Promise<string>((resolve) => (ended = resolve));
  const close = (why: string) => {
    closed ??= why;
    notify();
    drained();
    ended(closed);
  };

  /** Waits until the client has taken what is queued; false if it does not within `STALL_MS`. */
  const room = () =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), STALL_MS);
      waiting.push(() => (clearTimeout(timer), resolve(true)));
    });

  const handler = async (batch: Batch) => {
    // Backpressure first: Kafka is not read faster than the client takes events. What is held is
    // the queue limit plus one fetched batch (bounded by the bus's fetch caps).
    while (queue.length >= o.queueLimit && !closed) {
      if (!(await room())) close("the client is not reading; resume with Last-Event-ID");
    }
    if (closed) throw new Error("session closed"); // not committed; the group is thrown away anyway
    const fresh = batch.records.filter((r) => Number(r.offset) >= (position[batch.partition] ?? 0));
    for (const delivery of select(fresh, o.wants, o.decoder, o.onBad)) {
      position[batch.partition] = Number(delivery.record.offset) + 1;
      queue.push({ id: position.join("."), delivery });
    }
    const last = fresh.at(-1);
    if (last) position[batch.partition] = Math.max(position[batch.partition] ?? 0, Number(last.offset) + 1);
    notify();
  };

  const startAt = Object.fromEntries(position.map((offset, partition) => [partition, offset]));
  const subscription: Subscription = await o.bus.subscribe({
    groupId: o.groupId,
    topics: [o.topic],
    startAt,
    fromBeginning: true,
    maxWaitMs: o.lingerMs,
    ephemeral: true,
    handler,
  });

  return {
    /** The events so far (waiting up to `waitMs` for some; [] when none came); undefined once the session is closed. */
    async next(waitMs: number): Promise<StreamEvent[] | undefined> {
      if (queue.length === 0 && !closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          wake = () => (clearTimeout(timer), resolve());
        });
      }
      if (closed) return undefined;
      const events = queue.splice(0);
      drained();
      return events;
    },
    close,
    /** Resolves with the reason once the session is closed (by the client, the server, or a stall). */
    closed: closedPromise,
    /** Records of the topic after what this session has read (and queued), given the partitions' ends. */
    behind: (ends: number[]) =>
      ends.reduce((n, end, p) => n + Math.max(0, end - (position[p] ?? end)), 0) + queue.length,
    async stop() {
      close("stopped");
      queue.length = 0;
      await subscription.stop();
    },
  };
}
