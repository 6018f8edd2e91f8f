/**
 * One batch from `iot.enriched` in, one transaction out. The handler resolves only after the
 * transaction committed, so the bus commits offsets only for durable records; a failed write
 * throws and the bus offers the batch again. Bad records never throw: they are counted and
 * skipped (enrichment has already dead-lettered bad raw input; what reaches us is checked anyway).
 */
import type { Batch } from "@iot/common/bus";
import { decodeEnrichedEvent } from "@iot/common/codec";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { HistoryStore, Level } from "./db/store";
import type { HistoryMetrics } from "./history-metrics";
import { extract, metricNames, type Point, type SkipReason, type TrendNaming, type TrendWindow } from "./points";

/** Device clocks run ahead; a point further ahead than this is a wrong clock, not telemetry. */
export const MAX_AHEAD_MS = 24 * 3_600_000;

export interface IngestDeps {
  store: HistoryStore;
  metrics: HistoryMetrics;
  trendName: () => TrendNaming;
  retentionMs: Record<Level, number>;
  log: Logger;
  now?: () => number;
}

export function createIngest(deps: IngestDeps) {
  const { store, metrics, log } = deps;
  const now = deps.now ?? Date.now;
  const names = metricNames();

  return async function handleBatch(batch: Batch): Promise<void> {
    const started = performance.now();
    const t = now();
    // A raw point is accepted only while the raw table still holds its key: that key is what
    // makes a redelivered point a duplicate instead of a second count in the roll-ups.
    const rawCutoff = t - deps.retentionMs.raw;
    const trendCutoff = t - deps.retentionMs["5m"];
    const ahead = t + MAX_AHEAD_MS;
    const naming = deps.trendName();
    const points: Point[] = [];
    const trends: TrendWindow[] = [];
    const skipped = new Map<SkipReason, number>();
    const skip = (reason: SkipReason, n = 1) => skipped.set(reason, (skipped.get(reason) ?? 0) + n);
    let undecodable = 0;
    for (const r of batch.records) {
      let found;
      try {
        found = extract(decodeEnrichedEvent(r.value, r.headers), naming, names);
      } catch (e) {
        undecodable++;
        log.debug("undecodable enriched record skipped", {
          partition: r.partition,
          offset: r.offset,
          error: errorMessage(e),
        });
        continue;
      }
      for (const [reason, n] of Object.entries(found.skipped)) skip(reason as SkipReason, n);
      for (const p of found.points) {
        if (p.ts < rawCutoff) skip("too_old");
        else if (p.ts > ahead) skip("future");
        else points.push(p);
      }
      for (const w of found.trends) {
        if (w.ts < trendCutoff) skip("too_old");
        else if (w.ts > ahead) skip("future");
        else trends.push(w);
      }
    }
    let result;
    try {
      result = await store.write(points, trends);
    } catch (e) {
      metrics.writeFailures.inc();
      log.warn("history write failed; the batch will be offered again", {
        partition: batch.partition,
        error: errorMessage(e),
      });
      throw e;
    }
    // Counted once durable, so the counters agree with the database at every scrape.
    metrics.records.inc({ result: "stored" }, batch.records.length - undecodable);
    metrics.records.inc({ result: "undecodable" }, undecodable);
    metrics.points.inc({ result: "stored" }, result.stored);
    metrics.points.inc({ result: "duplicate" }, result.duplicates);
    metrics.trendWindows.inc({}, trends.length);
    skipped.forEach((n, reason) => metrics.skipped.inc({ reason }, n));
    metrics.batchSeconds.observe((performance.now() - started) / 1000);
  };
}
