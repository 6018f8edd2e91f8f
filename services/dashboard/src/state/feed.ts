/** The live feed: the newest records of each tab, each numbered so a browser can ask for its details. */
import type { DeviceEvent, EnrichedEvent } from "@iot/common/telemetry";
import { createRing, type Ring } from "./ring";

export const FEED_TABS = ["raw", "enriched", "trends"] as const;
export type FeedTab = (typeof FEED_TABS)[number];

export interface RecordPosition {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** Broker time, epoch ms. */
  timestamp: number;
}

type Content =
  | { event: DeviceEvent | EnrichedEvent; problem?: undefined }
  /** A record that could not be decoded: shown as such (it also lands in the dead letters). */
  | { event?: undefined; problem: { reason: string; message: string } };

export type NewFeedEntry = RecordPosition & { tab: FeedTab } & Content;
export type FeedEntry = NewFeedEntry & { seq: number };

export interface FeedStore {
  add(entry: NewFeedEntry): void;
  newest(tab: FeedTab, limit?: number): FeedEntry[];
  find(seq: number): FeedEntry | undefined;
}

export const isFeedTab = (v: unknown): v is FeedTab => FEED_TABS.includes(v as FeedTab);

export function createFeedStore(capacity: number): FeedStore {
  const tabs = Object.fromEntries(FEED_TABS.map((t) => [t, createRing<FeedEntry>(capacity)])) as Record<
    FeedTab,
    Ring<FeedEntry>
  >;
  let seq = 0;
  return {
    add: (entry) => tabs[entry.tab].push({ ...entry, seq: ++seq }),
    newest: (tab, limit) => tabs[tab].newest(limit),
    find: (wanted) => FEED_TABS.flatMap((t) => tabs[t].newest()).find((e) => e.seq === wanted),
  };
}
