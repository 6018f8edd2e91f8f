/** Published alarm events, fanned out to in-process watchers (WatchAlarms, the dashboard). */
import type { AlarmEvent } from "./alarm";

export type AlarmFeed = ReturnType<typeof createAlarmFeed>;

export function createAlarmFeed() {
  const listeners = new Set<(e: AlarmEvent) => void>();
  return {
    publish(events: AlarmEvent[]) {
      for (const e of events) for (const l of listeners) l(e);
    },
    /** Events from now on, until `signal` aborts. A watcher more than `maxPending` behind is ended (it re-subscribes). */
    async *watch(signal: AbortSignal, maxPending = 10_000): AsyncGenerator<AlarmEvent> {
      const pending: AlarmEvent[] = [];
      let wake: (() => void) | undefined;
      let overflow = false;
      const listener = (e: AlarmEvent) => {
        if (pending.length >= maxPending) overflow = true;
        else pending.push(e);
        wake?.();
      };
      const onAbort = () => wake?.();
      listeners.add(listener);
      signal.addEventListener("abort", onAbort);
      try {
        while (!signal.aborted && !overflow) {
          const e = pending.shift();
          if (e) yield e;
          else await new Promise<void>((resolve) => (wake = resolve));
        }
        if (overflow) throw new Error(`watcher fell more than ${maxPending} events behind`);
      } finally {
        listeners.delete(listener);
        signal.removeEventListener("abort", onAbort);
      }
    },
    get watchers() {
      return listeners.size;
    },
  };
}
