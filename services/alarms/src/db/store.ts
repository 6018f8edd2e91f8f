/** The one storage interface; SQLite and PostgreSQL implement it with the same behaviour. */
import type { Severity } from "@iot/common/alarm-rules";
import type { Alarm, AlarmEvent } from "../alarm";
import type { Changes, Snapshot } from "../engine";

export interface ActiveFilter {
  deviceId?: string;
  deviceType?: string;
  severity?: Severity;
}

export interface HistoryFilter {
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  deviceId?: string;
  limit: number;
}

export interface AlarmStore {
  /** Rule states, active alarms and known devices: what the engine starts from. */
  load(): Promise<Snapshot>;
  /** All of it in one transaction; events are stored unpublished (the outbox). */
  save(changes: Changes): Promise<void>;
  /** Oldest first. */
  unpublished(limit: number): Promise<AlarmEvent[]>;
  markPublished(ids: string[]): Promise<void>;
  /** Newest first. */
  active(filter: ActiveFilter): Promise<Alarm[]>;
  get(alarmId: string): Promise<Alarm | undefined>;
  /** Events in the range, newest first. */
  history(filter: HistoryFilter): Promise<AlarmEvent[]>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
