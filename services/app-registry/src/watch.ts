import type { Application } from "./application";
import type { ApplicationChange, ChangeFeed } from "./change-feed";
import { touches } from "./change-feed";
import { watchFeed } from "./feed-watch";

export type WatchEvent =
  | { type: "snapshot"; applications: Application[] }
  | { type: "change"; change: ApplicationChange };

/** The matching applications, then each change touching these device types ([]: all); see watchFeed. */
export async function* watchApplications(
  feed: ChangeFeed,
  snapshot: () => Promise<Application[]>,
  deviceTypes: readonly string[],
  signal: AbortSignal,
  maxPending = 10_000,
): AsyncGenerator<WatchEvent> {
  for await (const event of watchFeed(feed, snapshot, (change) => touches(change, deviceTypes), signal, maxPending))
    yield event.type === "snapshot" ? { type: "snapshot", applications: event.items } : event;
}
