import type { DecodeReason } from "@iot/common/codec";
import type { Metrics } from "@iot/common/metrics";

export type EnrichmentMetrics = ReturnType<typeof createEnrichmentMetrics>;

/** Every reason a record can be dead-lettered for, so each series exists (at 0) from the start. */
const DEAD_LETTER_REASONS: string[] = [
  "oversize",
  "malformed",
  "not_an_object",
  "missing_device_id",
  "invalid_field",
  "unknown_schema",
  "enrichment_failed",
] satisfies Array<DecodeReason | "enrichment_failed">;

export function createEnrichmentMetrics(
  m: Metrics,
  gauges: { registryAgeSeconds: () => number; registryCurrent: () => number; lag: () => number },
) {
  const deadLettered = m.counter(
    "enrichment_dead_lettered_total",
    "Records sent to the dead-letter topic, by reason.",
    ["reason"],
  );
  DEAD_LETTER_REASONS.forEach((reason) => deadLettered.inc({ reason }, 0));
  // Read at scrape time through their callbacks; nothing sets them.
  m.gauge(
    "enrichment_registry_cache_age_seconds",
    "Seconds since the cached registrations were last current (0 while current).",
    gauges.registryAgeSeconds,
  );
  m.gauge(
    "enrichment_registry_current",
    "1 while the registrations cache is kept current by the registry's watch stream.",
    gauges.registryCurrent,
  );
  m.gauge("enrichment_consumer_lag", "Records on the raw topic not yet committed by the enrichment group.", gauges.lag);
  return {
    consumed: m.counter(
      "enrichment_consumed_total",
      "Records consumed from the raw topic and settled (enriched or dead-lettered).",
    ),
    enriched: m.counter(
      "enrichment_enriched_total",
      "Records published to the enriched topic, by detected device type.",
      ["device_type"],
    ),
    deadLettered,
    lookups: m.counter(
      "enrichment_registry_lookups_total",
      "Registration lookups, by whether the cached data was current.",
      ["result"],
    ),
    batchSeconds: m.histogram(
      "enrichment_batch_seconds",
      "Time to enrich and publish one batch.",
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
  };
}
