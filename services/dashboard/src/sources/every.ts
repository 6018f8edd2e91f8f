/** Runs `task` now and then `intervalMs` after each run ends (never two at once); `stop` waits for a run in progress. */
export function every(intervalMs: number, task: () => Promise<void>) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const run = () => {
    running = task().finally(() => {
      running = undefined;
      if (!stopped) timer = setTimeout(run, intervalMs);
    });
  };
  return {
    start() {
      stopped = false;
      run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
