import { expect, test } from "bun:test";
import { createFirstSync } from "./first-sync";

test("waiters wake when the first snapshot arrives; later waits answer at once", async () => {
  const sync = createFirstSync();
  const waiting = sync.wait(60_000);
  expect(sync.synced).toBe(false);
  sync.done();
  expect(await waiting).toBe(true);
  expect(sync.synced).toBe(true);
  expect(await sync.wait(0)).toBe(true);
});

test("without a snapshot the wait ends false after its limit", async () => {
  const sync = createFirstSync();
  expect(await sync.wait(5)).toBe(false);
  expect(sync.synced).toBe(false);
});
