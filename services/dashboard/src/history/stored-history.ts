/**
 * The stored part of a device's history charts, per device and range, read from the history
 * service when a page or range loads and then kept: the live stream re-renders the charts with the
 * dashboard's own in-memory tail on every new point, and re-reading the history API for each of
 * those would cost a call per update. A kept read is redone only when the chart would otherwise be
 * wrong or empty — the last read failed, the newest stored point left the window, or the tail no
 * longer reaches back to it (a hole) — and then at most once per `refreshMs`, in the background;
 * `refreshed` tells the live stream to render again. Reads in flight are shared.
 */
import { errorMessage, type Logger } from "@iot/common/logger";
import type { Series } from "../state/series";
import { type HistoryClient, type HistorySeries, HistoryUnavailable } from "./client";
import { RANGES, type RangeName } from "./ranges";

export interface StoredHistory {
  readAt: number;
  series?: HistorySeries;
  trends?: HistorySeries;
  /** Why there is nothing to show. */
  problem?: string;
}

export interface StoredHistoryDeps {
  client: HistoryClient;
  refreshMs: number;
  /** Devices × ranges kept; the least recently shown is forgotten first. */
  maxEntries: number;
  refreshed: () => void;
  log: Logger;
  now?: () => number;
}

/** Points per stored series: a chart is 480 px wide. */
const POINTS = 300;
/** The history API's limit on metrics per call. */
const METRICS_PER_CALL = 20;

export function createStoredHistory(deps: StoredHistoryDeps) {
  const { client, refreshMs, maxEntries } = deps;
  const now = deps.now ?? Date.now;
  const kept = new Map<string, StoredHistory>();
  const inFlight = new Map<string, Promise<StoredHistory>>();
  const keyOf = (id: string, range: RangeName) => `${range}\n${id}`;

  const fetchRange = async (id: string, range: RangeName): Promise<StoredHistory> => {
    const readAt = now();
    try {
      const metrics = await client.metrics(id);
      if (metrics.length === 0) return { readAt, problem: "Nothing stored for this device yet." };
      const from = readAt - RANGES[range];
      const calls: string[][] = [];
      for (let i = 0; i < metrics.length; i += METRICS_PER_CALL) calls.push(metrics.slice(i, i + METRICS_PER_CALL));
      const [series, trends] = await Promise.all(
        (["series", "trends"] as const).map(async (kind) => {
          const parts = await Promise.all(calls.map((m) => client[kind](id, m, from, readAt, POINTS)));
          return { ...parts[0]!, series: parts.flatMap((p) => p.series) };
        }),
      );
      return { readAt, series, trends };
    } catch (e) {
      if (!(e instanceof HistoryUnavailable)) throw e;
      return { readAt, problem: `History is not available right now (${e.message}).` };
    }
  };

  const keep = (key: string, entry: StoredHistory) => {
    kept.delete(key);
    kept.set(key, entry);
    if (kept.size > maxEntries) kept.delete(kept.keys().next().value!);
  };

  /** Reads the device's stored history for the range from the history service (a page or range load). */
  const read = (id: string, range: RangeName): Promise<StoredHistory> => {
    const key = keyOf(id, range);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetchRange(id, range)
        .then((entry) => (keep(key, entry), entry))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  const stale = (entry: StoredHistory, range: RangeName, tail: Series | undefined) => {
    if (entry.problem) return true;
    const newest = Math.max(...(entry.series?.series ?? []).flatMap((s) => s.points.map((p) => p.t)));
    if (newest < now() - RANGES[range]) return true;
    const oldestTail = tail?.times()[0];
    return oldestTail !== undefined && oldestTail - newest > 2 * (entry.series?.width_ms ?? 0);
  };

  return {
    read,
    /**
     * What is kept for the device and range, for a live rendering (synchronous). Starts a
     * background read when nothing is kept or what is kept needs one; undefined until a read ends.
     */
    current(id: string, range: RangeName, tail: Series | undefined): StoredHistory | undefined {
      const key = keyOf(id, range);
      const entry = kept.get(key);
      if (entry) keep(key, entry);
      const due = !entry || (now() - entry.readAt >= refreshMs && stale(entry, range, tail));
      if (due && !inFlight.has(key))
        read(id, range).then(deps.refreshed, (e) =>
          deps.log.error("reading stored history failed", { device: id, range, error: errorMessage(e) }),
        );
      return entry;
    },
  };
}
export type StoredHistoryCache = ReturnType<typeof createStoredHistory>;
