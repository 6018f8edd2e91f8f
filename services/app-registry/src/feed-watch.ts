import type { ChangeFeed } from "./change-feed";
import { WatchOverflowError } from "./errors";

export type FeedEvent<S, C> = { type: "snapshot"; items: S[] } | { type: "change"; change: C };

/**
 * A snapshot, then each change (for which `wanted` holds) as it is published. Ends when `signal`
 * aborts or the feed closes; throws WatchOverflowError if the consumer falls more than
 * `maxPending` changes behind (memory stays bounded; the client re-subscribes).
 */
export async function* watchFeed<S, C>(
  feed: ChangeFeed<C>,
  snapshot: () => Promise<S[]>,
  wanted: (change: C) => boolean,
  signal: AbortSignal,
  maxPending = 10_000,
): AsyncGenerator<FeedEvent<S, C>> {
  const pending: C[] = [];
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
    if (!wanted(change)) return;
    if (pending.length >= maxPending) overflow = true;
    else pending.push(change);
    notify();
  }, end);
  signal.addEventListener("abort", end);
  try {
    yield { type: "snapshot", items: await snapshot() };
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
