import { type AlarmRule, describeCondition } from "@iot/common/alarm-rules";

/** A rule as the API shows it: its conditions as text, durations in seconds. */
export const ruleJson = (deviceType: string, r: AlarmRule) =>
  r.kind === "silent"
    ? {
        device_type: deviceType,
        id: r.id,
        name: r.name,
        kind: r.kind,
        metric: "",
        condition: `no message for ${r.afterMs / 1000} s`,
        clear: "a message arrives",
        for_seconds: r.afterMs / 1000,
        severity: r.severity,
        message: r.message,
      }
    : {
        device_type: deviceType,
        id: r.id,
        name: r.name,
        kind: r.kind,
        metric: r.metric,
        condition: describeCondition(r.condition),
        clear: r.clear ? describeCondition(r.clear) : `not ${describeCondition(r.condition)}`,
        for_seconds: r.forMs / 1000,
        severity: r.severity,
        message: r.message,
        escalate: r.escalate.map((s) => ({ condition: describeCondition(s.condition), severity: s.severity })),
        /** Where the condition and its escalations start to hold, for charts. */
        thresholds: [r.condition, ...r.escalate.map((s) => s.condition)].flatMap((c) =>
          "min" in c ? [c.min, c.max] : [c.value],
        ),
      };
