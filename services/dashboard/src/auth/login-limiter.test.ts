import { expect, test } from "bun:test";
import { createManualClock } from "@iot/common/manual-clock";
import { createLoginLimiter } from "./login-limiter";

test("after too many failures an address waits until the oldest leaves the window; others are not affected", async () => {
  const clock = createManualClock();
  const limiter = createLoginLimiter({ maxFailures: 3, windowMs: 60_000, clock });
  for (let i = 0; i < 3; i++) {
    expect(limiter.retryAfterSeconds("10.0.0.1")).toBe(0);
    limiter.failed("10.0.0.1");
    await clock.advance(1_000);
  }
  expect(limiter.retryAfterSeconds("10.0.0.1")).toBe(57);
  expect(limiter.retryAfterSeconds("10.0.0.2")).toBe(0);
  await clock.advance(57_000);
  expect(limiter.retryAfterSeconds("10.0.0.1")).toBe(0);
});

test("a success clears the address's record; the number of addresses kept is bounded", () => {
  const limiter = createLoginLimiter({ maxFailures: 1, windowMs: 60_000, capacity: 2 });
  limiter.failed("a");
  limiter.succeeded("a");
  expect(limiter.retryAfterSeconds("a")).toBe(0);
  limiter.failed("b");
  limiter.failed("c");
  limiter.failed("d");
  expect(limiter.retryAfterSeconds("b")).toBe(0); // forgotten, the oldest
  expect(limiter.retryAfterSeconds("d")).toBeGreaterThan(0);
});
