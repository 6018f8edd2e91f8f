/**
 * The fan-out clock. Consumers and pollers call `changed()` as often as they like; at most once per
 * interval the hub publishes a new version, and every connected browser waiting on `next()` wakes
 * for it. A browser slower than that (its stream not drained) simply wakes for the newest version
 * when it is ready again: updates are sampled, never queued, so no browser can hold the pipeline
 * back or make the dashboard buffer without bound.
 */
import { type Clock, systemClock } from "@iot/common/clock";

export type Wake = { kind: "version"; version: number } | { kind: "idle" } | { kind: "closed" };

export interface Hub {
  changed(): void;
  /** The version last published. */
  version(): number;
  /** Resolves with a version newer than `seen`, or "idle" after `idleMs`, or "closed" on abort/stop. */
  next(seen: number, signal: AbortSignal, idleMs: number): Promise<Wake>;
  stop(): void;
}

export function createHub(intervalMs: number, clock: Clock = systemClock): Hub {
  let pending = 0;
  let published = 0;
  let stopped = false;
  const waiters = new Set<(w: Wake) => void>();
  const wakeAll = (w: Wake) => {
    for (const resolve of [...waiters]) resolve(w);
  };
  const timer = clock.setInterval(() => {
    if (pending === published) return;
    published = pending;
    wakeAll({ kind: "version", version: published });
  }, intervalMs);

  return {
    changed() {
      pending++;
    },
    version: () => published,
    next(seen, signal, idleMs) {
      if (stopped || signal.aborted) return Promise.resolve({ kind: "closed" });
      if (published > seen) return Promise.resolve({ kind: "version", version: published });
      return new Promise<Wake>((resolve) => {
        const done = (w: Wake) => {
          waiters.delete(done);
          clock.clearTimeout(idle);
          signal.removeEventListener("abort", onAbort);
          resolve(w);
        };
        const onAbort = () => done({ kind: "closed" });
        const idle = clock.setTimeout(() => done({ kind: "idle" }), idleMs);
        signal.addEventListener("abort", onAbort);
        waiters.add(done);
      });
    },
    stop() {
      stopped = true;
      clock.clearInterval(timer);
      wakeAll({ kind: "closed" });
    },
  };
}
