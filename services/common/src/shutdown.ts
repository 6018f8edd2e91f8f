import type { Logger } from "./logger";
import { errorMessage } from "./logger";

/**
 * A Ctrl-C in a terminal reaches a process twice: the terminal signals the whole foreground process
 * group and `bun run` forwards the signal to its child as well. Signals this close to the first are
 * that one keypress, not an operator asking to force the exit.
 */
export const REPEAT_WINDOW_MS = 1_000;

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed). A second signal more
 * than REPEAT_WINDOW_MS after the first exits at once, so an operator is never stuck behind a hung flush.
 */
export function onShutdown(stop: () => Promise<void>, log: Logger): void {
  let firstAt: number | undefined;
  const handler = (signal: string) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < REPEAT_WINDOW_MS) return;
      log.warn("second signal while stopping; exiting now", { signal });
      process.exit(1);
    }
    firstAt = Date.now();
    log.info("stopping", { signal });
    stop().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (e) => {
        log.error("stop failed", { error: errorMessage(e) });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", () => handler("SIGTERM"));
  process.on("SIGINT", () => handler("SIGINT"));
}
