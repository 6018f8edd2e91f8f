import type { Logger } from "./logger";
import { errorMessage } from "./logger";

/**
 * Runs `stop` once on SIGTERM or SIGINT, then exits 0 (1 if stopping failed). A second signal
 * while stopping exits at once, so an operator is never stuck behind a hung flush.
 */
export function onShutdown(stop: () => Promise<void>, log: Logger): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) {
      log.warn("second signal while stopping; exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
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
