import { expect, test } from "bun:test";
import { createRelaunchBackoff } from "./relaunch-backoff";

const MS = { initial: 1_000, max: 8_000, stable: 10_000 };

test("consumers that fail as soon as they join wait longer each time, up to the cap", () => {
  let now = 0;
  const backoff = createRelaunchBackoff(MS, () => now);
  const waits: number[] = [];
  for (let i = 0; i < 6; i++) {
    const joinedAt = now;
    now += 50; // joined, then failed on its first batch (or one the client cannot read)
    backoff.consumerFailed(joinedAt, false);
    waits.push(backoff.delay());
    now += waits.at(-1)!;
  }
  expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
});

test("a consumer that had worked is relaunched soon: it handled a batch, or stayed up long enough", () => {
  let now = 0;
  const backoff = createRelaunchBackoff(MS, () => now);
  for (let i = 0; i < 4; i++) backoff.delay();
  backoff.consumerFailed(now - 100, true);
  expect(backoff.delay()).toBe(1_000);

  for (let i = 0; i < 4; i++) backoff.delay();
  now = 100_000;
  backoff.consumerFailed(now - MS.stable, false);
  expect(backoff.delay()).toBe(1_000);
});

test("launches that fail before joining keep doubling", () => {
  const backoff = createRelaunchBackoff(MS, () => 0);
  expect([backoff.delay(), backoff.delay(), backoff.delay()]).toEqual([1_000, 2_000, 4_000]);
});
