/**
 * Every device's rule states and active alarms, in memory (loaded from the store at start), fed
 * readings in input order and ticks of the clock. Each call returns the `Changes` it made, which
 * the caller persists in one transaction before publishing their events.
 */
import { type AlarmRule, holds, type ValueRule } from "@iot/common/alarm-rules";
import type { EnrichedEvent, MeasurementGroup } from "@iot/common/telemetry";
import type { Alarm, AlarmEvent, DeviceSeen, Position, RuleState } from "./alarm";
import { isAfter } from "./alarm";
import { acknowledge, type EvalContext, onRuleGone, onSilence, onSpeak, onTick, onValue, type Step } from "./evaluate";

export interface Reading {
  event: EnrichedEvent;
  /** Broker time (see config: `source-timestamp` of the raw record when enrichment passed it on). */
  at: number;
  position: Position;
}

export interface Snapshot {
  states: RuleState[];
  /** Active alarms only. */
  alarms: Alarm[];
  devices: DeviceSeen[];
}

export class Changes {
  readonly states = new Map<string, RuleState>();
  readonly alarms = new Map<string, Alarm>();
  readonly events: AlarmEvent[] = [];
  readonly devices = new Map<string, DeviceSeen>();
  get empty() {
    return this.states.size === 0 && this.alarms.size === 0 && this.events.length === 0 && this.devices.size === 0;
  }
}

interface Device {
  seen: DeviceSeen;
  persistedSeen: number;
  states: Map<string, RuleState>;
}

export interface EngineDeps extends EvalContext {
  rules: (deviceType: string) => AlarmRule[];
  /** How stale a device's persisted last-seen time may get (it only matters across restarts). */
  persistSeenEveryMs: number;
}

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(deps: EngineDeps) {
  const devices = new Map<string, Device>();
  const active = new Map<string, Alarm>();
  const pending = new Set<RuleState>();
  // Silence is counted from no earlier than start-up: time this service was down, or input it is
  // still catching up on (a first start reading from the earliest offset), is not a device's silence.
  let countSilenceFrom = 0;

  const deviceOf = (deviceId: string, deviceType: string) => {
    let d = devices.get(deviceId);
    if (!d)
      devices.set(deviceId, (d = { seen: { deviceId, deviceType, lastSeen: 0 }, persistedSeen: 0, states: new Map() }));
    return d;
  };
  const stateOf = (d: Device, ruleId: string): RuleState =>
    d.states.get(ruleId) ?? {
      deviceId: d.seen.deviceId,
      ruleId,
      deviceType: d.seen.deviceType,
      status: "idle",
      since: 0,
      value: null,
      position: null,
      alarmId: null,
    };

  const apply = (d: Device, before: RuleState, step: Step, out: Changes) => {
    if (step.state !== before) {
      d.states.set(step.state.ruleId, step.state);
      pending.delete(before);
      if (step.state.status === "pending") pending.add(step.state);
      out.states.set(`${step.state.deviceId}/${step.state.ruleId}`, step.state);
    }
    if (step.alarm) {
      if (step.alarm.clearedAt === null) active.set(step.alarm.id, step.alarm);
      else active.delete(step.alarm.id);
      out.alarms.set(step.alarm.id, step.alarm);
    }
    out.events.push(...step.events);
  };

  return {
    /** Replaces everything with what the store holds, at service time `now`. */
    load(s: Snapshot, now: number) {
      devices.clear();
      active.clear();
      pending.clear();
      countSilenceFrom = now;
      for (const seen of s.devices)
        devices.set(seen.deviceId, { seen, persistedSeen: seen.lastSeen, states: new Map() });
      for (const st of s.states) {
        deviceOf(st.deviceId, st.deviceType).states.set(st.ruleId, st);
        if (st.status === "pending") pending.add(st);
      }
      for (const a of s.alarms) active.set(a.id, a);
    },

    reading(r: Reading, out: Changes) {
      const deviceId = r.event.device_id;
      const deviceType = r.event.enrichment_info.device_type_detected;
      const d = deviceOf(deviceId, deviceType);
      if (d.seen.deviceType !== deviceType) d.seen = { ...d.seen, deviceType };
      if (r.at > d.seen.lastSeen) d.seen = { ...d.seen, lastSeen: r.at };
      if (d.persistedSeen === 0 || d.seen.lastSeen - d.persistedSeen >= deps.persistSeenEveryMs) {
        d.persistedSeen = d.seen.lastSeen;
        out.devices.set(deviceId, d.seen);
      }
      const measurements = r.event.event_type === "telemetry" ? r.event.measurements : undefined;
      for (const rule of deps.rules(deviceType)) {
        const stored = d.states.get(rule.id);
        if (rule.kind === "silent") {
          if (stored?.status === "active")
            apply(d, stored, onSpeak(stored, active.get(stored.alarmId!), r.at, deps), out);
          continue;
        }
        const v = valueOf(measurements, rule);
        if (v === undefined) continue; // a reading without the metric neither raises nor clears
        // The common case, kept free of allocation: a rule that never fired and does not hold now.
        if (!stored && !holds(rule.condition, v)) continue;
        const s = stored ?? stateOf(d, rule.id);
        // Applied already (a redelivered or re-enriched record): its transitions are in the store.
        if (!isAfter(r.position, s.position)) continue;
        apply(d, s, onValue(rule, s, s.alarmId ? active.get(s.alarmId) : undefined, v, r.at, r.position, deps), out);
      }
    },

    /** Timers that ran out and devices gone silent, at `now` (the service clock). */
    tick(now: number, out: Changes) {
      for (const s of [...pending]) {
        const rule = deps.rules(s.deviceType).find((r) => r.id === s.ruleId);
        const d = devices.get(s.deviceId)!;
        apply(d, s, rule?.kind === "value" ? onTick(rule, s, now, deps) : onRuleGone(s, undefined, now, deps), out);
      }
      for (const a of [...active.values()]) {
        const d = devices.get(a.deviceId);
        const s = d?.states.get(a.ruleId);
        if (d && s && !deps.rules(s.deviceType).some((r) => r.id === a.ruleId))
          apply(d, s, onRuleGone(s, a, now, deps), out);
      }
      for (const d of devices.values()) {
        const since = Math.max(d.seen.lastSeen, countSilenceFrom);
        for (const rule of deps.rules(d.seen.deviceType)) {
          if (rule.kind !== "silent") continue;
          const stored = d.states.get(rule.id);
          if (!stored && now - since < rule.afterMs) continue; // the common case, kept free of allocation
          const s = stored ?? stateOf(d, rule.id);
          apply(d, s, onSilence(rule, s, since, now, deps), out);
        }
      }
    },

    /** undefined when no active alarm has this id. */
    acknowledge(alarmId: string, by: string, note: string, at: number, out: Changes): Alarm | undefined {
      const a = active.get(alarmId);
      if (!a) return undefined;
      const { alarm, event } = acknowledge(a, by, note, at, deps);
      active.set(alarm.id, alarm);
      out.alarms.set(alarm.id, alarm);
      out.events.push(event);
      return alarm;
    },

    activeAlarms: () => [...active.values()],
  };
}

function valueOf(measurements: Record<string, MeasurementGroup> | undefined, rule: ValueRule): number | undefined {
  const v = measurements?.[rule.group]?.[rule.component];
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}
