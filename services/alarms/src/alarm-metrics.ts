import { SEVERITIES } from "@iot/common/alarm-rules";
import type { Metrics } from "@iot/common/metrics";
import type { Alarm } from "./alarm";
import { EVENT_KINDS } from "./alarm";

export type AlarmMetrics = ReturnType<typeof createAlarmMetrics>;

export function createAlarmMetrics(m: Metrics, active: () => Alarm[]) {
  const events = m.counter("alarms_events_total", "Alarm events published, by kind.", ["kind"]);
  EVENT_KINDS.forEach((kind) => events.inc({ kind }, 0));
  const skipped = m.counter(
    "alarms_skipped_total",
    "Enriched records not evaluated, by reason (a bad payload is counted and skipped).",
    ["reason"],
  );
  skipped.inc({ reason: "undecodable" }, 0);
  m.gauge("alarms_active", "Active alarms, by severity.", {
    labelNames: ["severity"],
    collect: () => {
      const n = new Map(SEVERITIES.map((s) => [s, 0]));
      for (const a of active()) n.set(a.severity, n.get(a.severity)! + 1);
      return SEVERITIES.map((severity) => [{ severity }, n.get(severity)!]);
    },
  });
  return {
    consumed: m.counter("alarms_consumed_total", "Enriched records consumed and evaluated."),
    events,
    skipped,
    batchSeconds: m.histogram(
      "alarms_batch_seconds",
      "Time to evaluate, persist and publish one batch.",
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    ),
    raiseLatency: m.histogram(
      "alarms_raise_latency_seconds",
      "From the triggering record's broker time to its raised event being published.",
      [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ),
  };
}
