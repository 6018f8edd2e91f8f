import { expect, test } from "bun:test";
import { createManualClock } from "@iot/common/manual-clock";
import { createHub } from "./hub";

const live = () => new AbortController().signal;

test("publishes at most once per interval, however often things change", async () => {
  const clock = createManualClock();
  const hub = createHub(50, clock);
  const wakes: number[] = [];
  let seen = 0;
  // 500 ms with a change every 2 ms (250 changes): one version per 50 ms interval, so ten wakes.
  for (let ms = 0; ms < 500; ms += 2) {
    hub.changed();
    const next = hub.next(seen, live(), 1_000);
    await clock.advance(2);
    const w = await Promise.race([next, Promise.resolve(undefined)]);
    if (w?.kind === "version") {
      seen = w.version;
      wakes.push(clock.now());
    }
  }
  hub.stop();
  expect(wakes).toEqual([50, 100, 150, 200, 250, 300, 350, 400, 450, 500]);
  expect(seen).toBe(250);
});

test("nothing changed, nothing published", async () => {
  const clock = createManualClock();
  const hub = createHub(10, clock);
  await clock.advance(100);
  expect(hub.version()).toBe(0);
  hub.stop();
});

test("a reader that fell behind gets the newest version at once, not each one it missed", async () => {
  const clock = createManualClock();
  const hub = createHub(10, clock);
  for (let i = 0; i < 3; i++) {
    hub.changed();
    await clock.advance(25);
  }
  expect(await hub.next(0, live(), 1_000)).toEqual({ kind: "version", version: 3 });
  hub.stop();
});

test("a waiting reader wakes when idle, when its client goes away, and when the hub stops", async () => {
  const clock = createManualClock();
  const hub = createHub(10, clock);
  const ac = new AbortController();
  const idle = hub.next(0, ac.signal, 20);
  await clock.advance(20);
  expect(await idle).toEqual({ kind: "idle" });
  const waiting = hub.next(0, ac.signal, 10_000);
  ac.abort();
  expect(await waiting).toEqual({ kind: "closed" });
  const stopping = hub.next(0, live(), 10_000);
  hub.stop();
  expect(await stopping).toEqual({ kind: "closed" });
  expect(clock.pending()).toBe(0);
});
