/**
 * One rule against one reading (or the clock): the state machine idle → pending → active → idle.
 * Pure: the caller supplies the time (broker time for readings, the service clock for ticks) and
 * new ids; the result is the next state and the events it causes.
 */
import {
  type AlarmRule,
  describeCondition,
  holds,
  SEVERITY_RANK,
  type Severity,
  type SilentRule,
  type ValueRule,
} from "@iot/common/alarm-rules";
import type { Alarm, AlarmEvent, EventKind, Position, RuleState } from "./alarm";

export interface Step {
  state: RuleState;
  alarm?: Alarm;
  events: AlarmEvent[];
}

export interface EvalContext {
  newId: () => string;
}

const idle = (s: RuleState, position: Position | null): RuleState => ({
  ...s,
  status: "idle",
  since: 0,
  value: null,
  alarmId: null,
  position,
});

/** The severity a value deserves: the rule's own, or the worst escalation step that holds. */
function severityFor(rule: ValueRule, v: number): Severity {
  let worst = rule.severity;
  for (const step of rule.escalate)
    if (holds(step.condition, v) && SEVERITY_RANK[step.severity] > SEVERITY_RANK[worst]) worst = step.severity;
  return worst;
}

export const thresholdOf = (rule: AlarmRule) =>
  rule.kind === "silent" ? `silent ${rule.afterMs / 1000} s` : describeCondition(rule.condition);

export function render(template: string, fields: Record<string, string | number | null>): string {
  return template.replace(/\{([a-z_]+)\}/g, (m, k: string) => (k in fields ? String(fields[k] ?? "") : m));
}

function event(ctx: EvalContext, kind: EventKind, at: number, alarm: Alarm): AlarmEvent {
  return { id: ctx.newId(), kind, at, alarm };
}

function raise(
  rule: AlarmRule,
  s: RuleState,
  at: number,
  value: number | null,
  severity: Severity,
  position: Position | null,
  ctx: EvalContext,
): Step {
  const threshold = thresholdOf(rule);
  const alarm: Alarm = {
    id: ctx.newId(),
    deviceId: s.deviceId,
    deviceType: s.deviceType,
    ruleId: rule.id,
    ruleName: rule.name,
    severity,
    message: render(rule.message, {
      device_id: s.deviceId,
      device_type: s.deviceType,
      rule: rule.id,
      metric: rule.kind === "value" ? rule.metric : "",
      value,
      threshold,
      severity,
    }),
    value,
    threshold,
    raisedAt: at,
    clearedAt: null,
    ack: null,
  };
  return {
    state: { ...s, status: "active", since: at, value, alarmId: alarm.id, position },
    alarm,
    events: [event(ctx, "raised", at, alarm)],
  };
}

/** A reading of the rule's metric at broker time `at`. */
export function onValue(
  rule: ValueRule,
  s: RuleState,
  active: Alarm | undefined,
  v: number,
  at: number,
  position: Position,
  ctx: EvalContext,
): Step {
  if (s.status === "active" && active) {
    const cleared = rule.clear ? holds(rule.clear, v) : !holds(rule.condition, v);
    if (cleared) {
      const alarm = { ...active, value: v, clearedAt: at };
      return { state: idle(s, position), alarm, events: [event(ctx, "cleared", at, alarm)] };
    }
    const severity = severityFor(rule, v);
    if (severity === active.severity) return { state: s, events: [] };
    const alarm = { ...active, severity, value: v };
    return { state: { ...s, value: v, position }, alarm, events: [event(ctx, "severity_changed", at, alarm)] };
  }
  if (!holds(rule.condition, v))
    return s.status === "idle" ? { state: s, events: [] } : { state: idle(s, position), events: [] };
  const since = s.status === "pending" ? s.since : at;
  if (at - since >= rule.forMs) return raise(rule, s, at, v, severityFor(rule, v), position, ctx);
  return s.status === "pending"
    ? { state: s, events: [] }
    : { state: { ...s, status: "pending", since: at, value: v, position }, events: [] };
}

/** The clock moved to `now`: a `for` timer that has run out raises, without waiting for the next reading. */
export function onTick(rule: ValueRule, s: RuleState, now: number, ctx: EvalContext): Step {
  if (s.status !== "pending" || now - s.since < rule.forMs) return { state: s, events: [] };
  // Raised at the moment the timer ran out, not when the tick noticed it.
  return raise(
    rule,
    s,
    s.since + rule.forMs,
    s.value,
    rule.escalate.length && s.value !== null ? severityFor(rule, s.value) : rule.severity,
    s.position,
    ctx,
  );
}

/** Silence: nothing from the device since `lastSeen` (broker time) for the rule's span. */
export function onSilence(rule: SilentRule, s: RuleState, lastSeen: number, now: number, ctx: EvalContext): Step {
  if (s.status === "active" || now - lastSeen < rule.afterMs) return { state: s, events: [] };
  // The position records the silence's start, so only a record after it can clear the alarm.
  return raise(rule, s, lastSeen + rule.afterMs, null, rule.severity, { stream: "silence", offset: lastSeen }, ctx);
}

/** The device spoke at broker time `at`: a silent alarm clears (unless the record predates the silence). */
export function onSpeak(s: RuleState, active: Alarm | undefined, at: number, ctx: EvalContext): Step {
  if (s.status !== "active" || !active || (s.position && at <= s.position.offset)) return { state: s, events: [] };
  const alarm = { ...active, clearedAt: at };
  return { state: idle(s, null), alarm, events: [event(ctx, "cleared", at, alarm)] };
}

/** The rule left the registry file: a running timer stops, an active alarm clears (nothing else could clear it). */
export function onRuleGone(s: RuleState, active: Alarm | undefined, at: number, ctx: EvalContext): Step {
  if (s.status === "idle") return { state: s, events: [] };
  if (s.status === "pending" || !active) return { state: idle(s, s.position), events: [] };
  const alarm = { ...active, clearedAt: at };
  return { state: idle(s, s.position), alarm, events: [event(ctx, "cleared", at, alarm)] };
}

export function acknowledge(
  active: Alarm,
  by: string,
  note: string,
  at: number,
  ctx: EvalContext,
): { alarm: Alarm; event: AlarmEvent } {
  const alarm = { ...active, ack: { by, at, note } };
  return { alarm, event: event(ctx, "acknowledged", at, alarm) };
}
