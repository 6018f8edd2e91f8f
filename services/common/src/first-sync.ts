/** "Has the first snapshot arrived?" for a cache filled by a watch stream, awaitable with a time limit. */
export function createFirstSync() {
  let synced = false;
  const waiters: Array<() => void> = [];
  return {
    get synced() {
      return synced;
    },
    /** The first snapshot is in; wakes every waiter. Later calls do nothing. */
    done() {
      if (synced) return;
      synced = true;
      for (const wake of waiters.splice(0)) wake();
    },
    /** Resolves true once the first snapshot is in, or false after `timeoutMs` without one. */
    async wait(timeoutMs: number): Promise<boolean> {
      if (synced) return true;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const ok = await Promise.race([
        new Promise<boolean>((resolve) => waiters.push(() => resolve(true))),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
      ]);
      clearTimeout(timer);
      return ok;
    },
  };
}
