import type { Application } from "./application";
import type { ApplicationChange, ChangeFeed } from "./change-feed";
import { touches } from "./change-feed";
import { WatchOverflowError } from "./errors";

export type WatchEvent = { type: "snapshot"; applications: Application[] } | { type: "change"; change: ApplicationChange };

/**
 * A snapshot of the matching applications, then each matching change as it is published. Ends
 * when `signal` aborts or the feed closes; throws WatchOverflowError if the consumer falls more
 * than `maxPending` changes behind (memory stays bounded; the client re-subscribes).
 */
export async function* watchApplications(
  feed: ChangeFeed,
  snapshot: () => Promise<Application[]>,
  deviceTypes: readonly string[],
  signal: AbortSignal,
  maxPending = 10_000,
): AsyncGenerator<WatchEvent> {
  const pending: ApplicationChange[] = [];
  let overflow = false;
  let ended = false;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const end = () => {
    ended = true;
    notify();
  };
  // Subscribe before reading the snapshot: a change committed meanwhile is queued, never lost.
  // It may repeat what the snapshot already shows; applying it again is harmless.
  const unsubscribe = feed.subscribe((change) => {
    if (!touches(change, deviceTypes)) return;
    if (pending.length >= maxPending) overflow = true;
    else pending.push(change);
    notify();
  }, end);
  signal.addEventListener("abort", end);
  try {
    yield { type: "snapshot", applications: await snapshot() };
    while (!signal.aborted) {
      if (overflow) throw new WatchOverflowError(maxPending);
      const change = pending.shift();
      if (change) yield { type: "change", change };
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", end);
  }
}
