/** A background task on a timer: one run at a time, a failed run logged and retried at the next tick. */
import { errorMessage, type Logger } from "@iot/common/logger";

export function periodic(what: string, everyMs: number, task: () => Promise<void>, log: Logger) {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task()
      .catch((e) => log.warn(`${what} failed; retrying at the next interval`, { error: errorMessage(e) }))
      .finally(() => (running = undefined));
  }, everyMs);
  return {
    /** No new run; waits for the one in hand. */
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
