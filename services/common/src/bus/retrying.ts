/**
 * Admin calls (offsets, lag, metadata) retried on errors the broker says are passing: right after a
 * topic is created, or while leadership moves, the broker answers NOT_LEADER_FOR_PARTITION or
 * LEADER_NOT_AVAILABLE for a moment. Anything else, or the last attempt's error, is thrown.
 */
import { type Clock, systemClock } from "../clock";

/** kafkajs marks a passing error `retriable`, @platformatic/kafka `canRetry`, possibly on one of several `errors`. */
export const isRetriable = (e: unknown): boolean => {
  if (typeof e !== "object" || e === null) return false;
  const x = e as { retriable?: unknown; canRetry?: unknown; errors?: unknown };
  return x.retriable === true || x.canRetry === true || (Array.isArray(x.errors) && x.errors.some(isRetriable));
};

export async function retrying<T>(
  call: () => Promise<T>,
  opts: { attempts?: number; initialMs?: number; clock?: Clock } = {},
): Promise<T> {
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
