/**
 * Time as a dependency. Code whose behaviour depends on the passage of time (fan-out intervals,
 * backoffs, idle timeouts) takes a Clock, so its tests drive time by hand instead of racing the
 * wall clock. `systemClock` is the real one; `createManualClock` (in manual-clock.ts) is for tests.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Epoch ms. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Resolves after `ms`; `signal` ends the wait early. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

type Timer = ReturnType<typeof setTimeout>;

export const systemClock: Clock = {
  now: () => Date.now(),
  // Unref'd: a pending timer alone never keeps a process alive; servers and consumers do.
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as Timer),
  setInterval: (fn, ms) => setInterval(fn, ms).unref(),
  clearInterval: (h) => clearInterval(h as Timer),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const t = setTimeout(done, ms);
      signal?.addEventListener("abort", done);
    }),
};
