/** Test support shared by every service's tests (never imported by service code). */
import { createLogger } from "./logger";

/** The broker the test run started (scripts/test.sh); a missing broker fails, never skips. */
export function kafkaBrokers(): string[] {
  const v = process.env.KAFKA_BROKERS?.trim();
  if (!v)
    throw new Error("KAFKA_BROKERS is not set: run the suite with `bun run test`, which starts a local Kafka broker");
  return v.split(",");
}

export const uniqueName = (prefix: string) =>
  `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;

export const quietLogger = () =>
  createLogger("test", { level: process.env.TEST_LOG_LEVEL === "debug" ? "debug" : "error" });

/** Resolves when `check` returns a value other than undefined; rejects with `what` after the timeout. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await Bun.sleep(25);
  }
}
