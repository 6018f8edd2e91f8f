import { expect, test } from "bun:test";
import { createManualClock } from "@iot/common/manual-clock";
import { createSessions } from "./sessions";

test("a session lives while it is used, ends when idle, and ends at its absolute limit however busy", async () => {
  const clock = createManualClock();
  const sessions = createSessions({ idleMs: 10_000, maxMs: 25_000, clock });
  const id = sessions.create("alice");
  expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  for (let i = 0; i < 2; i++) {
    await clock.advance(9_000);
    expect(sessions.use(id)?.operator).toBe("alice");
  }
  await clock.advance(9_000); // 27 s after login, used 9 s ago
  expect(sessions.use(id)).toBeUndefined();

  const idle = sessions.create("bob");
  await clock.advance(10_000);
  expect(sessions.use(idle)).toBeUndefined();
});

test("logout ends a session; unknown ids name nothing; the oldest go first beyond capacity", () => {
  const sessions = createSessions({ idleMs: 10_000, maxMs: 20_000, capacity: 2 });
  const first = sessions.create("a");
  const second = sessions.create("b");
  sessions.end(second);
  expect(sessions.use(second)).toBeUndefined();
  expect(sessions.use("made-up")).toBeUndefined();
  sessions.create("c");
  sessions.create("d");
  expect(sessions.use(first)).toBeUndefined();
});
