/**
 * Alarm rules as data: each device type's `alarm_rules` in config/device-registry.json. Parsed and
 * checked here, with the device registry, so a broken rule refuses the whole file (the last good
 * registry stays in use) and every problem names the rule and the field.
 *
 * A value rule: `metric` ("group.component", e.g. "current.phase_a"; "group.value" for a group with
 * one value), `condition` ({op, value} or {op: "outside", min, max}), `for_seconds` it must hold,
 * `severity`, an optional `clear` condition (hysteresis; default: the condition no longer holds),
 * optional `escalate` steps ({condition, severity}) that change an active alarm's severity, and a
 * `message` template. A silent rule (`kind: "silent"`): no message for `intervals` × the type's
 * update interval.
 */
export const SEVERITIES = ["critical", "major", "minor", "warning"] as const;
export type Severity = (typeof SEVERITIES)[number];
/** Higher is worse. */
export const SEVERITY_RANK: Record<Severity, number> = { critical: 4, major: 3, minor: 2, warning: 1 };

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

export type Condition = { op: Comparison; value: number } | { op: "outside" | "inside"; min: number; max: number };

export interface ValueRule {
  kind: "value";
  id: string;
  name: string;
  metric: string;
  group: string;
  component: string;
  condition: Condition;
  clear: Condition | null;
  forMs: number;
  severity: Severity;
  escalate: Array<{ condition: Condition; severity: Severity }>;
  message: string;
}

export interface SilentRule {
  kind: "silent";
  id: string;
  name: string;
  /** intervals × the type's update interval. */
  afterMs: number;
  severity: Severity;
  message: string;
}

export type AlarmRule = ValueRule | SilentRule;

/** Placeholders a message template may use. */
export const TEMPLATE_FIELDS = [
  "device_id",
  "device_type",
  "rule",
  "metric",
  "value",
  "threshold",
  "severity",
] as const;

export const RULE_ID = /^[a-z][a-z0-9_]{0,63}$/;

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** "5_seconds", "1_minute", "2_hours" → ms; undefined when the text says no interval. */
export function updateIntervalMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)_(second|minute|hour)s?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * { second: 1_000, minute: 60_000, hour: 3_600_000 }[m[2] as "second" | "minute" | "hour"];
}

/** The metric paths a type's measurements offer: group.component, group.phase, or group.value. */
export function metricPaths(
  measurements: Record<string, { components?: Record<string, unknown>; phases?: string[] }>,
): Set<string> {
  const paths = new Set<string>();
  for (const [group, spec] of Object.entries(measurements)) {
    const parts = spec.components ? Object.keys(spec.components) : (spec.phases ?? ["value"]);
    for (const p of parts) paths.add(`${group}.${p}`);
  }
  return paths;
}

export interface RuleContext {
  typeId: string;
  metrics: Set<string>;
  updateFrequency: string;
}

/** Parses one type's `alarm_rules`; problems are pushed as "path: what". */
export function parseAlarmRules(raw: unknown, ctx: RuleContext, at: string, problems: string[]): AlarmRule[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    problems.push(`${at}: expected a list of rules`);
    return [];
  }
  const rules: AlarmRule[] = [];
  const seen = new Set<string>();
  raw.forEach((r, i) => {
    const ruleAt = isObj(r) && typeof r.id === "string" ? `${at}[${r.id}]` : `${at}[${i}]`;
    const before = problems.length;
    const need = (ok: boolean, field: string, what: string) => ok || problems.push(`${ruleAt}.${field}: ${what}`);
    if (!isObj(r)) return void problems.push(`${ruleAt}: expected an object`);
    const id = typeof r.id === "string" ? r.id : "";
    need(RULE_ID.test(id), "id", "expected an id matching ^[a-z][a-z0-9_]{0,63}$");
    need(!seen.has(id), "id", `duplicate rule id "${id}"`);
    seen.add(id);
    const severity = r.severity as Severity;
    need(
      SEVERITIES.includes(severity),
      "severity",
      `unknown severity ${JSON.stringify(r.severity)} (expected one of ${SEVERITIES.join(", ")})`,
    );
    need(typeof r.message === "string" && r.message !== "", "message", "expected a non-empty template");
    const unknownFields = [...String(r.message ?? "").matchAll(/\{([^}]*)\}/g)]
      .map((m) => m[1]!)
      .filter((f) => !(TEMPLATE_FIELDS as readonly string[]).includes(f));
    need(
      unknownFields.length === 0,
      "message",
      `unknown placeholder {${unknownFields[0]}} (known: ${TEMPLATE_FIELDS.join(", ")})`,
    );
    const name = typeof r.name === "string" && r.name !== "" ? r.name : id;
    const message = String(r.message);
    const kind = r.kind ?? "value";

    if (kind === "silent") {
      const interval = updateIntervalMs(ctx.updateFrequency);
      need(isNum(r.intervals) && r.intervals > 0, "intervals", "expected a positive number of update intervals");
      need(
        interval !== undefined,
        "kind",
        `silent needs the type's update_frequency as "<n>_seconds|minutes|hours", got "${ctx.updateFrequency}"`,
      );
      if (problems.length === before)
        rules.push({ kind: "silent", id, name, afterMs: (r.intervals as number) * interval!, severity, message });
      return;
    }
    need(kind === "value", "kind", `expected "value" or "silent", got ${JSON.stringify(kind)}`);
    const metric = typeof r.metric === "string" ? r.metric : "";
    need(
      ctx.metrics.has(metric),
      "metric",
      `${ctx.typeId} has no metric "${metric}" (it has ${[...ctx.metrics].join(", ")})`,
    );
    const condition = parseCondition(r.condition, `${ruleAt}.condition`, problems);
    const clear = r.clear === undefined ? null : parseCondition(r.clear, `${ruleAt}.clear`, problems);
    need(
      r.for_seconds === undefined || (isNum(r.for_seconds) && r.for_seconds >= 0),
      "for_seconds",
      "expected a number of seconds ≥ 0",
    );
    need(r.escalate === undefined || Array.isArray(r.escalate), "escalate", "expected a list of {condition, severity}");
    const escalate = (Array.isArray(r.escalate) ? r.escalate : []).map((s: unknown, j) => {
      const sAt = `${ruleAt}.escalate[${j}]`;
      const step = isObj(s) ? s : {};
      if (!SEVERITIES.includes(step.severity as Severity))
        problems.push(`${sAt}.severity: unknown severity ${JSON.stringify(step.severity)}`);
      return {
        condition: parseCondition(step.condition, `${sAt}.condition`, problems),
        severity: step.severity as Severity,
      };
    });
    if (problems.length > before) return;
    const [group, component] = metric.split(".") as [string, string];
    rules.push({
      kind: "value",
      id,
      name,
      metric,
      group,
      component,
      condition: condition!,
      clear,
      forMs: ((r.for_seconds as number | undefined) ?? 0) * 1000,
      severity,
      escalate: escalate.map((s) => ({ ...s, condition: s.condition! })),
      message,
    });
  });
  return rules;
}

function parseCondition(raw: unknown, at: string, problems: string[]): Condition | null {
  if (!isObj(raw)) {
    problems.push(`${at}: expected {"op": ">", "value": 80} or {"op": "outside", "min": 59.5, "max": 60.5}`);
    return null;
  }
  if (raw.op === "outside" || raw.op === "inside") {
    const ok = isNum(raw.min) && isNum(raw.max);
    if (!ok)
      problems.push(
        `${at}: "${raw.op}" needs numeric min and max, got min ${JSON.stringify(raw.min)}, max ${JSON.stringify(raw.max)}`,
      );
    else if ((raw.min as number) > (raw.max as number)) problems.push(`${at}: min is greater than max`);
    return ok ? { op: raw.op, min: raw.min as number, max: raw.max as number } : null;
  }
  if (!COMPARISONS.includes(raw.op as Comparison)) {
    problems.push(
      `${at}.op: unknown operator ${JSON.stringify(raw.op)} (expected one of ${COMPARISONS.join(" ")} outside inside)`,
    );
    return null;
  }
  if (!isNum(raw.value)) {
    problems.push(`${at}.value: expected a number, got ${JSON.stringify(raw.value)}`);
    return null;
  }
  return { op: raw.op as Comparison, value: raw.value };
}

export function holds(c: Condition, v: number): boolean {
  switch (c.op) {
    case ">":
      return v > c.value;
    case ">=":
      return v >= c.value;
    case "<":
      return v < c.value;
    case "<=":
      return v <= c.value;
    case "==":
      return v === c.value;
    case "!=":
      return v !== c.value;
    case "outside":
      return v < c.min || v > c.max;
    case "inside":
      return v >= c.min && v <= c.max;
  }
}

export const describeCondition = (c: Condition) => ("min" in c ? `${c.op} [${c.min}, ${c.max}]` : `${c.op} ${c.value}`);
