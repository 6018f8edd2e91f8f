/** Samples the broker's topic counts and group lag on an interval: the pipeline's primary counters. */
import type { EventBus } from "@iot/common/bus";
import type { Topics } from "@iot/common/bus-config";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { PipelineStore } from "../state/pipeline";
import { every } from "./every";

export interface PollerOptions {
  bus: EventBus;
  topics: Topics;
  /** The groups whose lag matters, each on the topics it reads. */
  groups: Array<{ groupId: string; topics: string[] }>;
  store: PipelineStore;
  intervalMs: number;
  changed: () => void;
  log: Logger;
}

export function createPipelinePoller(o: PollerOptions) {
  const sample = async () => {
    const at = Date.now();
    try {
      const { topics, lag } = await o.bus.stats(
        [o.topics.raw, o.topics.enriched, o.topics.dlq],
        o.groups.map((g) => g.groupId),
      );
      // Kafka reports a group's "lag" on every topic asked about, even those it never reads.
      const reads = (groupId: string, topic: string) =>
        o.groups.some((g) => g.groupId === groupId && g.topics.includes(topic));
      o.store.record({ at, topics, lag: lag.filter((l) => reads(l.groupId, l.topic)) });
    } catch (e) {
      // Shown on the overview; the next sample tries again.
      o.store.fail(errorMessage(e), at);
      o.log.warn("broker stats failed", { error: errorMessage(e) });
    }
    o.changed();
  };
  return every(o.intervalMs, sample);
}
