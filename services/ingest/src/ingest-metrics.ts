/**
 * What the gateway counts: connections and acknowledged messages per transport, and every refusal
 * by transport and reason. The same numbers are kept as a plain snapshot for the stats endpoint
 * the dashboard reads (so it need not parse Prometheus text).
 */
import type { Metrics } from "@iot/common/metrics";
import type { IngestTransport } from "./device-records";

/** Every reason something is refused, so each series exists (at 0) from the start. */
export const REFUSAL_REASONS = [
  "bad_credentials",
  "disabled",
  "registry_unavailable",
  "reconnect_rate",
  "connect_timeout",
  "malformed_packet",
  "foreign_topic",
  "system_topic",
  "subscribe",
  "device_mismatch",
  "oversize",
  "unsupported_media_type",
  "malformed_body",
  "overloaded",
  "ack_timeout",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export interface IngestStats {
  connectedDevices: number;
  connects: Record<string, number>;
  messages: Record<string, number>;
  refused: Record<string, Record<string, number>>;
  inflightBytes: number;
}

export function createIngestMetrics(m: Metrics, gauges: { connected: () => number; inflightBytes: () => number }) {
  m.gauge("ingest_connected_devices", "MQTT devices connected now.", gauges.connected);
  m.gauge(
    "ingest_inflight_bytes",
    "Bytes accepted from devices and not yet acknowledged by the broker.",
    gauges.inflightBytes,
  );
  const connectsC = m.counter(
    "ingest_connects_total",
    "Accepted MQTT connections and authenticated HTTP requests, by transport.",
    ["transport"],
  );
  const messagesC = m.counter("ingest_messages_total", "Records acknowledged by the broker, by transport.", [
    "transport",
  ]);
  const refusedC = m.counter(
    "ingest_refused_total",
    "Refused connects, publishes, subscribes and requests, by transport and reason.",
    ["transport", "reason"],
  );
  const batchSeconds = m.histogram(
    "ingest_batch_seconds",
    "Time from sending a batch to the broker's acknowledgement.",
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
  );
  const publishFailures = m.counter("ingest_publish_failures_total", "Failed publishes to the broker (each retried).");
  const connects: Record<string, number> = {};
  const messages: Record<string, number> = {};
  const refused: Record<string, Record<string, number>> = {};
  for (const transport of ["mqtt", "http"] as const)
    for (const reason of REFUSAL_REASONS) refusedC.inc({ transport, reason }, 0);

  return {
    connected(transport: IngestTransport) {
      connectsC.inc({ transport });
      connects[transport] = (connects[transport] ?? 0) + 1;
    },
    acked(transport: IngestTransport, n: number) {
      messagesC.inc({ transport }, n);
      messages[transport] = (messages[transport] ?? 0) + n;
    },
    refused(transport: IngestTransport, reason: RefusalReason) {
      refusedC.inc({ transport, reason });
      const byReason = (refused[transport] ??= {});
      byReason[reason] = (byReason[reason] ?? 0) + 1;
    },
    batch: (seconds: number) => batchSeconds.observe(seconds),
    publishFailure: () => publishFailures.inc(),
    snapshot: (): IngestStats => ({
      connectedDevices: gauges.connected(),
      connects: { ...connects },
      messages: { ...messages },
      refused: structuredClone(refused),
      inflightBytes: gauges.inflightBytes(),
    }),
  };
}

export type IngestMetrics = ReturnType<typeof createIngestMetrics>;
