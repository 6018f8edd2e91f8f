/**
 * Batches from `iot.enriched` in, transactions out. The partitions' batches of one fetch (handed in
 * together) are written as one transaction, and each handler resolves only after the transaction
 * that holds its batch committed, so the bus commits offsets only for durable records; a failed
 * write fails every batch in it, and the bus offers them again. Bad records never throw: they are
 * counted and skipped (enrichment has already dead-lettered bad raw input; what reaches us is checked
 * anyway).
 */
import type { Batch } from "@iot/common/bus";
import { createSendCoalescer } from "@iot/common/bus/send-coalescer";
import { decodeEnrichedEvent } from "@iot/common/codec";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { HistoryStore, Level } from "./db/store";
import type { HistoryMetrics } from "./history-metrics";
import {
  type Extracted,
  extract,
  type MetricNames,
  metricNames,
  type SkipReason,
  skip,
  type TrendNaming,
} from "./points";

/** Device clocks run ahead; a point further ahead than this is a wrong clock, not telemetry. */
export const MAX_AHEAD_MS = 24 * 3_600_000;
/**
 * Batches merge into one transaction up to this many points and trend windows: one fetch of the
 * default fleet (~12 points a record) fits, and a transaction stays a few MB of statement text.
 */
const MAX_POINTS_PER_WRITE = 250_000;

export interface IngestDeps {
  store: HistoryStore;
  metrics: HistoryMetrics;
  trendName: () => TrendNaming;
  retentionMs: Record<Level, number>;
  log: Logger;
  now?: () => number;
}

/** One batch, decoded: what to write, and what to count once it is durable. */
interface Parsed extends Extracted {
  partition: number;
  records: number;
  undecodable: number;
}

export function createIngest(deps: IngestDeps) {
  const { store, metrics, log } = deps;
  const now = deps.now ?? Date.now;
  const names = metricNames();

  // Merged like a producer's sends: batches handed in while a write is in flight, or together, go in
  // the next transaction, one transaction at a time.
  const write = createSendCoalescer<Parsed, "write">(async (parts) => {
    const started = performance.now();
    const points = parts.length === 1 ? parts[0]!.points : parts.flatMap((p) => p.points);
    const trends = parts.length === 1 ? parts[0]!.trends : parts.flatMap((p) => p.trends);
    let result;
    try {
      result = await store.write(points, trends);
    } catch (e) {
      metrics.writeFailures.inc();
      log.warn("history write failed; the batches will be offered again", {
        partitions: parts.map((p) => p.partition),
        error: errorMessage(e),
      });
      throw e;
    }
    // Counted once durable, so the counters agree with the database at every scrape.
    for (const p of parts) {
      metrics.records.inc({ result: "stored" }, p.records - p.undecodable);
      metrics.records.inc({ result: "undecodable" }, p.undecodable);
      for (const reason in p.skipped) metrics.skipped.inc({ reason }, p.skipped[reason as SkipReason]);
    }
    metrics.points.inc({ result: "stored" }, result.stored);
    metrics.points.inc({ result: "duplicate" }, result.duplicates);
    metrics.trendWindows.inc({}, trends.length);
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
  }, MAX_POINTS_PER_WRITE);

  return async function handleBatch(batch: Batch): Promise<void> {
    const parsed = parse(batch, deps, now(), names);
    await write([parsed], parsed.points.length + parsed.trends.length, "write");
  };
}

function parse(batch: Batch, deps: IngestDeps, t: number, names: MetricNames): Parsed {
  // A raw point is accepted only while the raw table still holds its key: that key is what
  // makes a redelivered point a duplicate instead of a second count in the roll-ups.
  const rawCutoff = t - deps.retentionMs.raw;
  const trendCutoff = t - deps.retentionMs["5m"];
  const ahead = t + MAX_AHEAD_MS;
  const naming = deps.trendName();
  const out: Parsed = {
    partition: batch.partition,
    records: batch.records.length,
    undecodable: 0,
    points: [],
    trends: [],
    skipped: {},
  };
  for (const r of batch.records) {
    const points = out.points.length;
    const trends = out.trends.length;
    try {
      extract(decodeEnrichedEvent(r.value, r.headers), naming, names, out);
    } catch (e) {
      // Nothing of an undecodable record is stored.
      out.points.length = points;
      out.trends.length = trends;
      out.undecodable++;
      deps.log.debug("undecodable enriched record skipped", {
        partition: r.partition,
        offset: r.offset,
        error: errorMessage(e),
      });
      continue;
    }
    keepInRange(out, out.points, points, rawCutoff, ahead);
    keepInRange(out, out.trends, trends, trendCutoff, ahead);
  }
  return out;
}

/** Drops (and counts) the items from `from` on whose time is before `cutoff` or after `ahead`, in place. */
function keepInRange(out: Extracted, items: Array<{ ts: number }>, from: number, cutoff: number, ahead: number) {
  let kept = from;
  for (let i = from; i < items.length; i++) {
    const item = items[i]!;
    if (item.ts < cutoff) skip(out, "too_old");
    else if (item.ts > ahead) skip(out, "future");
    else items[kept++] = item;
  }
  items.length = kept;
}
