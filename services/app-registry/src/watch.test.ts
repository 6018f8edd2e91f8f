import { expect, test } from "bun:test";
import type { Application } from "./application";
import type { ApplicationChange } from "./change-feed";
import { createChangeFeed, touches } from "./change-feed";
import { WatchOverflowError } from "./errors";
import { watchApplications } from "./watch";

const app = (id: string, deviceTypes: string[]): Application => ({
  id,
  name: id,
  description: null,
  version: "1",
  developer: "d",
  contactEmail: "a@b.co",
  category: null,
  platform: null,
  deviceTypes,
  status: "active",
  createdAt: new Date(0),
  updatedAt: new Date(0),
});
const created = (a: Application): ApplicationChange => ({ type: "created", application: a });
const noErrors = (e: unknown) => {
  throw e;
};

test("touches: a change concerns the watched types before or after it; [] watches everything", () => {
  const moved: ApplicationChange = {
    type: "updated",
    application: app("a", ["meter"]),
    previous: app("a", ["breaker"]),
  };
  expect(touches(moved, ["breaker"])).toBe(true);
  expect(touches(moved, ["meter"])).toBe(true);
  expect(touches(moved, ["sensor"])).toBe(false);
  expect(touches(created(app("b", [])), [])).toBe(true);
});

test("a snapshot first, then matching changes in order", async () => {
  const feed = createChangeFeed(noErrors);
  const stream = watchApplications(feed, async () => [app("old", ["meter"])], ["meter"], new AbortController().signal);
  expect(await stream.next()).toEqual({
    done: false,
    value: { type: "snapshot", applications: [app("old", ["meter"])] },
  });
  feed.publish(created(app("skip", ["breaker"])));
  feed.publish(created(app("one", ["meter"])));
  feed.publish(created(app("two", ["meter", "breaker"])));
  expect((await stream.next()).value).toEqual({ type: "change", change: created(app("one", ["meter"])) });
  expect((await stream.next()).value).toEqual({ type: "change", change: created(app("two", ["meter", "breaker"])) });
});

test("a change committed while the snapshot is being read is delivered after it, not lost", async () => {
  const feed = createChangeFeed(noErrors);
  const stream = watchApplications(
    feed,
    async () => {
      feed.publish(created(app("during", [])));
      return [];
    },
    [],
    new AbortController().signal,
  );
  expect((await stream.next()).value).toEqual({ type: "snapshot", applications: [] });
  expect((await stream.next()).value).toEqual({ type: "change", change: created(app("during", [])) });
});

test("aborting ends the stream and unsubscribes; so does closing the feed", async () => {
  const feed = createChangeFeed(noErrors);
  const stop = new AbortController();
  const stream = watchApplications(feed, async () => [], [], stop.signal);
  await stream.next();
  const waiting = stream.next();
  expect(feed.subscribers).toBe(1);
  stop.abort();
  expect(await waiting).toEqual({ done: true, value: undefined });
  expect(feed.subscribers).toBe(0);

  const other = watchApplications(feed, async () => [], [], new AbortController().signal);
  await other.next();
  const pending = other.next();
  feed.close();
  expect(await pending).toEqual({ done: true, value: undefined });
  expect(feed.subscribers).toBe(0);
});

test("a watcher that falls more than maxPending behind is ended with WatchOverflowError", async () => {
  const feed = createChangeFeed(noErrors);
  const stream = watchApplications(feed, async () => [], [], new AbortController().signal, 2);
  await stream.next();
  for (const id of ["a", "b", "c"]) feed.publish(created(app(id, [])));
  await expect(stream.next()).rejects.toBeInstanceOf(WatchOverflowError);
});

test("a listener that throws neither stops the others nor the publisher", () => {
  const errors: unknown[] = [];
  const feed = createChangeFeed((e) => errors.push(e));
  const seen: string[] = [];
  feed.subscribe(() => {
    throw new Error("faulty");
  });
  feed.subscribe((c) => seen.push(c.application.id));
  feed.publish(created(app("x", [])));
  expect(seen).toEqual(["x"]);
  expect(errors).toHaveLength(1);
});
