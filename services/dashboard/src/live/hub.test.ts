import { expect, test } from "bun:test";
import { createHub } from "./hub";

test("publishes at most once per interval, however often things change", async () => {
  const hub = createHub(50);
  const signal = new AbortController().signal;
  const wakes: number[] = [];
  const started = Date.now();
  let seen = 0;
  const feeder = setInterval(() => hub.changed(), 2);
  while (Date.now() - started < 500) {
    const w = await hub.next(seen, signal, 1_000);
    if (w.kind !== "version") break;
    seen = w.version;
    wakes.push(Date.now());
  }
  clearInterval(feeder);
  hub.stop();
  // 500 ms at one version per 50 ms: about ten wakes, though ~250 changes happened.
  expect(wakes.length).toBeGreaterThanOrEqual(5);
  expect(wakes.length).toBeLessThanOrEqual(11);
});

test("a reader that fell behind gets the newest version at once, not each one it missed", async () => {
  const hub = createHub(10);
  const signal = new AbortController().signal;
  for (let i = 0; i < 3; i++) {
    hub.changed();
    await Bun.sleep(25);
  }
  expect(await hub.next(0, signal, 1_000)).toEqual({ kind: "version", version: 3 });
  hub.stop();
});

test("a waiting reader wakes when idle, when its client goes away, and when the hub stops", async () => {
  const hub = createHub(10);
  const ac = new AbortController();
  expect(await hub.next(0, ac.signal, 20)).toEqual({ kind: "idle" });
  const waiting = hub.next(0, ac.signal, 10_000);
  ac.abort();
  expect(await waiting).toEqual({ kind: "closed" });
  const stopping = hub.next(0, new AbortController().signal, 10_000);
  hub.stop();
  expect(await stopping).toEqual({ kind: "closed" });
});
