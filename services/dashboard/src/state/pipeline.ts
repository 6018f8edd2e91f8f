/**
 * The pipeline as the broker sees it: records on each topic, consumer-group lag, and message rates
 * derived from successive samples. These are the primary counters: they are true whichever
 * services run, and `raw = enriched + dead-lettered` (with enrichment's lag at 0) is the balance
 * the delivery promise is checked against.
 */
import type { GroupLag, TopicStats } from "@iot/common/bus";
import type { Topics } from "@iot/common/bus-config";
import { createRing } from "./ring";

export interface PipelineSample {
  /** Epoch ms. */
  at: number;
  topics: TopicStats[];
  lag: GroupLag[];
}

export interface RatePoint {
  /** End of the interval, epoch ms. */
  t: number;
  /** Records per second over the interval, by topic role. */
  raw: number;
  enriched: number;
  dlq: number;
}

export interface Balance {
  raw: number;
  enriched: number;
  dlq: number;
  /** raw − (enriched + dead-lettered): in flight while positive, duplicates (at-least-once) while negative. */
  difference: number;
  /** Records of the raw topic enrichment's group has not consumed; undefined when the group is unknown. */
  enrichmentLag?: number;
  balanced: boolean;
}

export interface PipelineStore {
  record(sample: PipelineSample): void;
  /** Remembers why the broker could not be asked; the last good sample stays. */
  fail(message: string, at: number): void;
  latest(): PipelineSample | undefined;
  lastError(): { message: string; at: number } | undefined;
  rates(): RatePoint[];
  balance(): Balance | undefined;
}

const ROLES = ["raw", "enriched", "dlq"] as const;

export function createPipelineStore(opts: {
  topics: Topics;
  enrichmentGroupId: string;
  history: number;
}): PipelineStore {
  const rates = createRing<RatePoint>(opts.history);
  let latest: PipelineSample | undefined;
  let error: { message: string; at: number } | undefined;
  const count = (s: PipelineSample, role: (typeof ROLES)[number]) =>
    s.topics.find((t) => t.topic === opts.topics[role])?.records ?? 0;

  return {
    record(sample) {
      if (latest && sample.at > latest.at) {
        const seconds = (sample.at - latest.at) / 1000;
        const prev = latest;
        const rate = (role: (typeof ROLES)[number]) => Math.max(0, (count(sample, role) - count(prev, role)) / seconds);
        rates.push({ t: sample.at, raw: rate("raw"), enriched: rate("enriched"), dlq: rate("dlq") });
      }
      latest = sample;
      error = undefined;
    },
    fail(message, at) {
      error = { message, at };
    },
    latest: () => latest,
    lastError: () => error,
    rates: () => rates.newest().reverse(),
    balance() {
      if (!latest) return undefined;
      const [raw, enriched, dlq] = ROLES.map((r) => count(latest!, r)) as [number, number, number];
      const enrichmentLag = latest.lag.find(
        (l) => l.groupId === opts.enrichmentGroupId && l.topic === opts.topics.raw,
      )?.lag;
      const difference = raw - enriched - dlq;
      return { raw, enriched, dlq, difference, enrichmentLag, balanced: difference === 0 && enrichmentLag === 0 };
    },
  };
}
