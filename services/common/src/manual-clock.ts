/** A Clock that moves only when a test says so (test support; never imported by service code). */
import type { Clock, TimerHandle } from "./clock";

interface Pending {
  id: number;
  at: number;
  every?: number;
  fn: () => void;
}

export interface ManualClock extends Clock {
  /** Moves time forward, firing every timer that comes due, in order, then lets promises settle. */
  advance(ms: number): Promise<void>;
  /** Timers waiting to fire. */
  pending(): number;
}

export function createManualClock(startMs = 0): ManualClock {
  let time = startMs;
  let nextId = 1;
  const timers = new Map<number, Pending>();
  const add = (fn: () => void, ms: number, every?: number): TimerHandle => {
    const id = nextId++;
    timers.set(id, { id, at: time + Math.max(0, ms), every, fn });
    return id;
  };
  const clear = (h: TimerHandle) => void timers.delete(h as number);
  const settle = async () => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };

  const clock: ManualClock = {
    now: () => time,
    setTimeout: (fn, ms) => add(fn, ms),
    clearTimeout: clear,
    setInterval: (fn, ms) => add(fn, ms, Math.max(1, ms)),
    clearInterval: clear,
    sleep: (ms, signal) =>
      new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        const h = add(resolve, ms);
        signal?.addEventListener("abort", () => {
          clear(h);
          resolve();
        });
      }),
    async advance(ms) {
      const end = time + ms;
      for (;;) {
        await settle(); // timers that code about to run now would set count too
        const due = [...timers.values()].filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
        if (!due) break;
        time = due.at;
        if (due.every) due.at += due.every;
        else timers.delete(due.id);
        due.fn();
      }
      time = end;
      await settle();
    },
    pending: () => timers.size,
  };
  return clock;
}
