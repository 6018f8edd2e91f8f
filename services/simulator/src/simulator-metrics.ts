import type { Metrics } from "@iot/common/metrics";

export type SimulatorMetrics = ReturnType<typeof createSimulatorMetrics>;

export function createSimulatorMetrics(m: Metrics, gauges: { buffered: () => number; lagSeconds: () => number }) {
  return {
    generated: m.counter(
      "simulator_generated_total",
      "Events the device models produced, by event type (telemetry, trends).",
      ["event_type"],
    ),
    anomalous: m.counter(
      "simulator_anomalous_samples_total",
      "Telemetry samples shaped by an anomaly episode, by device type.",
      ["device_type"],
    ),
    published: m.counter("simulator_published_total", "Records the broker acknowledged."),
    dropped: m.counter(
      "simulator_dropped_total",
      "Records never published, by reason: buffer_full (broker away too long) or shutdown (not flushed in time).",
      ["reason"],
    ),
    publishFailures: m.counter(
      "simulator_publish_failures_total",
      "Publish attempts that failed and were retried after a backoff.",
    ),
    batchSeconds: m.histogram(
      "simulator_publish_batch_seconds",
      "Time for the broker to acknowledge one batch.",
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
    buffered: m.gauge("simulator_buffered_records", "Records waiting for the broker.", gauges.buffered),
    lag: m.gauge(
      "simulator_schedule_lag_seconds",
      "How far the publish schedule runs behind the clock (0 while it keeps up).",
      gauges.lagSeconds,
    ),
    devices: m.gauge("simulator_devices", "Simulated devices, by device type.", { labelNames: ["device_type"] }),
  };
}
