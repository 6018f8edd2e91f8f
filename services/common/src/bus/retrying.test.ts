import { expect, test } from "bun:test";
import { createManualClock } from "../manual-clock";
import { retrying } from "./retrying";

const passing = (message: string) => Object.assign(new Error(message), { retriable: true });

test("a passing broker error (NOT_LEADER right after createTopics) is retried with backoff until it answers", async () => {
  const clock = createManualClock();
  let calls = 0;
  const result = retrying(
    async () => {
      if (++calls < 4) throw passing("This server is not the leader for that topic-partition");
      return "offsets";
    },
    { clock, initialMs: 100 },
  );
  await clock.advance(100 + 200 + 400);
  expect(await result).toBe("offsets");
  expect(calls).toBe(4);
});

test("a non-retriable error, or the last attempt's, is thrown", async () => {
  const clock = createManualClock();
  let calls = 0;
  await expect(retrying(async () => (calls++, Promise.reject(new Error("bad request"))), { clock })).rejects.toThrow(
    "bad request",
  );
  expect(calls).toBe(1);
  calls = 0;
  const failing = retrying(async () => (calls++, Promise.reject(passing("still moving"))), {
    clock,
    attempts: 3,
    initialMs: 10,
  });
  const settled = failing.catch((e: Error) => e.message);
  await clock.advance(10 + 20);
  expect(await settled).toBe("still moving");
  expect(calls).toBe(3);
});
