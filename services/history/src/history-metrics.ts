import type { Metrics } from "@iot/common/metrics";
import { SKIP_REASONS } from "./points";

export type HistoryMetrics = ReturnType<typeof createHistoryMetrics>;

export function createHistoryMetrics(m: Metrics) {
  const skipped = m.counter(
    "history_values_skipped_total",
    "Values not stored, by reason (non-numeric, missing, bad metric name, older than raw retention, ahead of the clock).",
    ["reason"],
  );
  SKIP_REASONS.forEach((reason) => skipped.inc({ reason }, 0));
  const records = m.counter("history_records_total", "Enriched records settled, by result: stored or undecodable.", [
    "result",
  ]);
  ["stored", "undecodable"].forEach((result) => records.inc({ result }, 0));
  return {
    records,
    points: m.counter(
      "history_points_total",
      "Points written, by result: stored (new) or duplicate (a redelivery, which changed nothing).",
      ["result"],
    ),
    trendWindows: m.counter("history_trend_windows_total", "Device trend windows written (5-minute roll-ups)."),
    skipped,
    batchSeconds: m.histogram(
      "history_batch_seconds",
      "Time to store one transaction (the batches of one fetch, merged).",
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
    writeFailures: m.counter(
      "history_write_failures_total",
      "Transactions that failed (their batches are offered again).",
    ),
    rolledUp: m.counter(
      "history_rollups_total",
      "Roll-up buckets recomputed after the write, by level: 1m or 1h (PostgreSQL; SQLite rolls up as it writes).",
      ["level"],
    ),
    retentionRemoved: m.counter(
      "history_retention_removed_total",
      "Rows (SQLite) or partitions (PostgreSQL) removed by retention.",
    ),
  };
}
