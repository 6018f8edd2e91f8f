/**
 * The dashboard's one consumer: a single subscription of its own group to the raw, enriched and
 * dead-letter topics, turning batches into state. It does no rendering, so however many browsers
 * watch, the consumer keeps the pace of the pipeline. A record it cannot decode or cannot take into
 * its state is shown as a problem entry and counted, never rethrown: one hostile record must not
 * wedge the consumer by being redelivered for ever.
 */
import type { Batch, EventBus, IncomingRecord, Subscription } from "@iot/common/bus";
import type { Topics } from "@iot/common/bus-config";
import { DecodeError, decodeDeviceEvent, decodeEnrichedEvent } from "@iot/common/codec";
import { errorMessage } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import type { DashboardState } from "../state/dashboard-state";
import type { FeedTab, NewFeedEntry } from "../state/feed";

export interface IngestOptions {
  topics: Topics;
  state: DashboardState;
  metrics: Metrics;
  /** Called after every batch: the state changed. */
  changed: () => void;
  feedSize: number;
}

export function createIngest({ topics, state, metrics, changed, feedSize }: IngestOptions) {
  const records = metrics.counter("dashboard_records_total", "Records the dashboard consumed, by topic.", ["topic"]);
  const undecodable = metrics.counter(
    "dashboard_undecodable_total",
    "Records the dashboard could not decode or take in, by topic and reason.",
    ["topic", "reason"],
  );

  const position = (r: IncomingRecord) => ({
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    key: r.key,
    timestamp: r.timestamp,
  });
  const problem = (r: IncomingRecord, tab: FeedTab, e: unknown): NewFeedEntry => {
    const reason = e instanceof DecodeError ? e.reason : "dashboard_failed";
    undecodable.inc({ topic: r.topic, reason });
    return { ...position(r), tab, problem: { reason, message: errorMessage(e) } };
  };

  return async function handle(batch: Batch): Promise<void> {
    records.inc({ topic: batch.topic }, batch.records.length);
    if (batch.topic === topics.enriched) {
      // Every enriched record feeds the device state; only the newest can reach the feed.
      const recent = batch.records.length - feedSize;
      batch.records.forEach((r, i) => {
        let entry: NewFeedEntry;
        try {
          const event = decodeEnrichedEvent(r.value, r.headers);
          state.devices.record(event);
          entry = { ...position(r), tab: event.event_type === "trends" ? "trends" : "enriched", event };
        } catch (e) {
          entry = problem(r, "enriched", e);
        }
        if (i >= recent) state.feed.add(entry);
      });
    } else if (batch.topic === topics.raw) {
      for (const r of batch.records.slice(-feedSize)) {
        try {
          state.feed.add({ ...position(r), tab: "raw", event: decodeDeviceEvent(r.value, r.headers) });
        } catch (e) {
          state.feed.add(problem(r, "raw", e));
        }
      }
    } else if (batch.topic === topics.dlq) {
      state.deadLetters.add(batch.records);
    }
    changed();
  };
}

export function subscribeIngest(
  bus: EventBus,
  opts: { groupId: string; topics: Topics; fromBeginning: boolean; handler: (b: Batch) => Promise<void> },
): Promise<Subscription> {
  return bus.subscribe({
    groupId: opts.groupId,
    topics: [opts.topics.raw, opts.topics.enriched, opts.topics.dlq],
    fromBeginning: opts.fromBeginning,
    handler: opts.handler,
  });
}
