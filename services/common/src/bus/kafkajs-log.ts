/**
 * kafkajs logs every failed connection and retry at error level, so a broker gone for a minute floods
 * the logs; every failure that matters reaches our code anyway (a publish rejects, a consumer crashes).
 * kafkajs's own lines therefore go to debug (the outage itself is logged once by kafka-log.ts).
 */
import { type LogEntry, logLevel } from "kafkajs";
import type { Logger } from "../logger";

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
