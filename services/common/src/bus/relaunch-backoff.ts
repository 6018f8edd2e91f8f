/**
 * How long a subscription (either Kafka adapter) waits before it launches a new consumer after one
 * failed for good (kafkajs restarts a consumer itself after a retriable error). The wait starts
 * at `initial` and doubles up to `max` while consumers keep failing before they have done any work.
 * A consumer that handled a batch, or stayed up `stable`, had worked: when it fails (a lost broker
 * after hours of work) the next launch is soon again. One that fails straight away (a handler that
 * keeps failing while the registry is down, a batch the client cannot read) is not relaunched about
 * once a second for as long as the cause lasts, whatever the cause.
 */
const RELAUNCH_MS = { initial: 1_000, max: 30_000, stable: 10_000 };

export function createRelaunchBackoff(ms = RELAUNCH_MS, now: () => number = performance.now.bind(performance)) {
  let next = ms.initial;
  return {
    /** The wait before the next launch; the one after it doubles. */
    delay(): number {
      const d = next;
      next = Math.min(next * 2, ms.max);
      return d;
    },
    /** A consumer that joined at `joinedAt` failed. */
    consumerFailed(joinedAt: number, handledAny: boolean): void {
      if (handledAny || now() - joinedAt >= ms.stable) next = ms.initial;
    },
    now,
  };
}
