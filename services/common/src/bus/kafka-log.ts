/**
 * What a consumer outage looks like in the logs, for either Kafka client: each consumer says once that it
 * failed (a lost broker, a failing handler, a batch it cannot read: the error says which) and once
 * that it is back, with the retry count. (kafkajs's own log lines are routed
 * in kafkajs-log.ts; this file imports no client, so a process loads only the client it selected.)
 */
import { errorMessage, type Logger } from "../logger";

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
      log.warn("kafka consumer failed; retrying", {
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
