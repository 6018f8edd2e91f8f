/**
 * Alarm thresholds for the device charts, from the alarms service's rules. Kept in memory and
 * refreshed in the background (charts render synchronously and often); until the first answer,
 * and while the service is away, charts keep the last marks they had (none at first).
 */
import type { ChartMark } from "../views/chart";
import type { AlarmsClient, RuleView } from "./alarms-client";

export function createAlarmMarks(alarms: AlarmsClient, refreshMs: number) {
  let rules: RuleView[] = [];
  let fetchedAt = -Infinity;
  let inFlight = false;
  const refresh = () => {
    if (inFlight || performance.now() - fetchedAt < refreshMs) return;
    inFlight = true;
    alarms
      .rules()
      .then((r) => void (rules = r))
      .catch(() => undefined) // the charts keep their last marks; the page's alarm panels say the service is away
      .finally(() => {
        fetchedAt = performance.now();
        inFlight = false;
      });
  };
  /** Marks are labelled "<component> <rule> at <value>", so a chart keeps those of its own lines. */
  return (deviceType: string, group: string): ChartMark[] => {
    refresh();
    return rules
      .filter((r) => r.device_type === deviceType && r.kind === "value" && r.metric.startsWith(`${group}.`))
      .flatMap((r) =>
        (r.thresholds ?? []).map((value) => ({
          label: `${r.metric.slice(group.length + 1)} ${r.id} at ${value}`,
          value,
        })),
      );
  };
}
