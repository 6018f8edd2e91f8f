/**
 * The repo's kafkajs patch (patches/kafkajs@2.2.4.patch): a connection's request queue with nothing
 * pending and no throttle schedules no check. Unpatched, it set a negative timeout (run after 1 ms)
 * whose check scheduled the next: every connection polled a thousand times a second for its whole
 * life (an idle producer 217 against 24 ms of CPU in 10 s; kafkajs issue #1751).
 */
import { afterEach, expect, test } from "bun:test";
// @ts-expect-error kafkajs's internals ship no types
import RequestQueue from "kafkajs/src/network/requestQueue";

const logger = { debug() {}, info() {}, warn() {}, error() {} };
const queues: Array<{ destroy(): void }> = [];
const queue = () => {
  const q = new RequestQueue({
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: true,
    clientId: "test",
    broker: "127.0.0.1:9092",
    logger,
  });
  queues.push(q);
  return q;
};
afterEach(() => {
  for (const q of queues.splice(0)) q.destroy();
});

test("an idle queue schedules no check of its pending requests", () => {
  const q = queue();
  q.checkPendingRequests();
  expect(q.throttleCheckTimeoutId).toBeNull();
});

test("a throttled queue still schedules the check for when the throttle ends", () => {
  const q = queue();
  q.throttledUntil = Date.now() + 60_000;
  q.checkPendingRequests();
  expect(q.throttleCheckTimeoutId).not.toBeNull();
});
