/** The alarm model: episodes, the per-(device, rule) state that drives them, and their events. Times are epoch ms. */
import type { Severity } from "@iot/common/alarm-rules";

export const EVENT_KINDS = ["raised", "severity_changed", "cleared", "acknowledged"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface Acknowledgement {
  by: string;
  at: number;
  note: string;
}

/** One episode, from raised to cleared. */
export interface Alarm {
  id: string;
  deviceId: string;
  deviceType: string;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  message: string;
  /** The metric's value that raised it (or last changed it); null for silent alarms. */
  value: number | null;
  /** The rule's condition, as text ("> 45", "outside [59.5, 60.5]", "silent 15 s"). */
  threshold: string;
  raisedAt: number;
  clearedAt: number | null;
  ack: Acknowledgement | null;
}

export interface AlarmEvent {
  id: string;
  kind: EventKind;
  at: number;
  /** The alarm as it is after this event. */
  alarm: Alarm;
}

/**
 * Where in the input a record sits: the raw record enrichment read (its `message-id` header), so
 * an enriched record published twice for one raw record has one position. Positions only compare
 * within one stream (one raw partition).
 */
export interface Position {
  stream: string;
  offset: number;
}

export type RuleStatus = "idle" | "pending" | "active";

/** Persisted on every transition, so a restart neither forgets a `for` timer nor replays a transition. */
export interface RuleState {
  deviceId: string;
  ruleId: string;
  deviceType: string;
  status: RuleStatus;
  /** pending: broker time the condition started to hold; active: raise time; idle: 0. */
  since: number;
  /** The value seen when the state last changed (the value a timer-fired raise reports). */
  value: number | null;
  /** The record that caused the last transition: records at or before it were applied already. */
  position: Position | null;
  alarmId: string | null;
}

export interface DeviceSeen {
  deviceId: string;
  deviceType: string;
  /** Broker time of its latest record. */
  lastSeen: number;
}

export const isAfter = (p: Position, than: Position | null) =>
  than === null || p.stream !== than.stream || p.offset > than.offset;
