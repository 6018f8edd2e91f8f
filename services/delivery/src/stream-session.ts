/**
 * One stream connection (SSE or the Subscribe RPC): the application's records from a position on,
 * as events whose id is that position, so a client that reconnects with `Last-Event-ID` continues
 * exactly after the last event it received, with no gap and no repeat, while the topic retains it.
 *
 * The position is the next offset of every partition of the topic ("12.0.7.3.9.4"). Each session
 * reads in a consumer group of its own (`<prefix>.<app>.stream.<uuid>`) that starts at that
 * position, so sessions never share or steal partitions and a fresh connection starts at the
 * topic's end. Events wait in a bounded queue: a client that stops reading is dropped when the
 * queue is full, and resumes from its last id.
 */
import type { Batch, EventBus, Subscription } from "@iot/common/bus";
import { type Delivery, select, type Wants } from "./records";

export interface StreamEvent {
  id: string;
  delivery: Delivery;
}

export interface SessionOptions {
  bus: EventBus;
  topic: string;
  groupId: string;
  wants: Wants;
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
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const close = (why: string) => {
    closed ??= why;
    notify();
  };

  const handler = async (batch: Batch) => {
    if (closed) throw new Error("session closed"); // not committed; the group is thrown away anyway
    const fresh = batch.records.filter((r) => Number(r.offset) >= (position[batch.partition] ?? 0));
    for (const delivery of select(fresh, o.wants, o.onBad)) {
      position[batch.partition] = Number(delivery.record.offset) + 1;
      queue.push({ id: position.join("."), delivery });
    }
    const last = fresh.at(-1);
    if (last) position[batch.partition] = Math.max(position[batch.partition] ?? 0, Number(last.offset) + 1);
    if (queue.length > o.queueLimit) close("the client is not reading; resume with Last-Event-ID");
    notify();
  };

  const startAt = Object.fromEntries(position.map((offset, partition) => [partition, offset]));
  const subscription: Subscription = await o.bus.subscribe({ groupId: o.groupId, topics: [o.topic], startAt, fromBeginning: true, maxWaitMs: o.lingerMs, handler });

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
      return queue.splice(0);
    },
    close,
    get closedBecause() {
      return closed;
    },
    async stop() {
      close("stopped");
      queue.length = 0;
      await subscription.stop();
    },
  };
}
