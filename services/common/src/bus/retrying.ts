/**
 * Admin calls (offsets, lag, metadata) retried on errors the broker says are passing: right after a
 * topic is created, or while leadership moves, the broker answers NOT_LEADER_FOR_PARTITION or
 * LEADER_NOT_AVAILABLE for a moment. Anything else, or the last attempt's error, is thrown.
 */
import { type Clock, systemClock } from "../clock";

export const isRetriable = (e: unknown) => typeof e === "object" && e !== null && (e as { retriable?: unknown }).retriable === true;

export async function retrying<T>(call: () => Promise<T>, opts: { attempts?: number; initialMs?: number; clock?: Clock } = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const clock = opts.clock ?? systemClock;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (e) {
      if (attempt >= attempts || !isRetriable(e)) throw e;
      await clock.sleep((opts.initialMs ?? 100) * 2 ** (attempt - 1));
    }
  }
}
