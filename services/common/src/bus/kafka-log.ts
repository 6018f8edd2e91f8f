/**
 * What a broker outage looks like in the logs. kafkajs logs every failed connection and retry at
 * error level, so a broker gone for a minute floods them; every failure that matters reaches our code
 * anyway (a publish rejects, a consumer crashes). kafkajs's own lines therefore go to debug, and each
 * consumer says once that it lost the broker and once that it is back, with the retry count.
 */
import { type LogEntry, logLevel } from "kafkajs";
import { errorMessage, type Logger } from "../logger";

const LEVEL_NAMES: Record<number, string> = {
  [logLevel.ERROR]: "ERROR",
  [logLevel.WARN]: "WARN",
  [logLevel.INFO]: "INFO",
  [logLevel.DEBUG]: "DEBUG",
};

export function kafkaLogCreator(log: Logger) {
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      const { message, timestamp: _t, logger: _l, ...fields } = entry;
      log.debug(`kafkajs: ${message}`, { namespace, kafkajs_level: LEVEL_NAMES[level] ?? level, ...fields });
    };
}

/** One consumer's outage: a warning when it first fails, an info line when it has rejoined. */
export function createOutageLog(log: Logger, fields: Record<string, unknown>, now: () => number = Date.now) {
  let since: number | undefined;
  let retries = 0;
  return {
    failed(error: unknown, retryInMs?: number) {
      retries++;
      if (since !== undefined)
        return log.debug("kafka consumer still failing", { ...fields, retries, error: errorMessage(error) });
      since = now();
      log.warn("kafka consumer lost the broker; retrying", {
        ...fields,
        retry_in_ms: retryInMs,
        error: errorMessage(error),
      });
    },
    joined() {
      if (since === undefined) return;
      log.info("kafka consumer back", { ...fields, retries, outage_seconds: Math.round((now() - since) / 1000) });
      [since, retries] = [undefined, 0];
    },
  };
}
