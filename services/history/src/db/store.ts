/** The one storage interface; SQLite and PostgreSQL implement it with the same behaviour. */
import type { Point, TrendWindow } from "../points";

/** Stored levels: raw points, 1-minute and 1-hour roll-ups, and the devices' own 5-minute trends. */
export type Level = "raw" | "1m" | "1h" | "5m";
export const LEVELS: Level[] = ["raw", "1m", "1h", "5m"];

/** One downsampled bucket. `count` is null for trends (the device does not say how many samples). */
export interface Bucket {
  t: number;
  count: number | null;
  avg: number;
  min: number;
  max: number;
  last: number;
}

export interface RangeQuery {
  deviceId: string;
  metric: string;
  level: Level;
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
  /** Width of one output bucket, whole ms ≥ 1; buckets start at `from`. */
  width: number;
}

export interface Latest {
  metric: string;
  ts: number;
  value: number;
}

export interface WriteResult {
  /** Points stored for the first time. */
  stored: number;
  /** Points already stored (a redelivery): they changed nothing. */
  duplicates: number;
}

export interface RolledUp {
  minutes: number;
  hours: number;
}

export interface HistoryStore {
  readonly kind: "sqlite" | "postgres";
  /** One transaction: everything or nothing. Idempotent: writing the same points again changes no figure. */
  write(points: Point[], trends: TrendWindow[]): Promise<WriteResult>;
  range(q: RangeQuery): Promise<Bucket[]>;
  latest(deviceId: string): Promise<Latest[]>;
  /**
   * Folds points written but not yet rolled up (PostgreSQL computes roll-ups after the write; SQLite
   * as it writes, so nothing there) in every minute, then hour, that ended by `closedBefore`;
   * returns how many minutes and hours it recomputed. Queries see those points before and after:
   * this only moves work off the write path.
   */
  rollUp(closedBefore: number): Promise<RolledUp>;
  /** Removes what is older than each level's cutoff (epoch ms); returns rows (or partitions) removed. */
  removeExpired(cutoffs: Record<Level, number>): Promise<number>;
  /** Throws when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Our own bookkeeping table, so other services' drizzle migrations in the same database never collide. */
export const MIGRATIONS_TABLE = "__history_migrations";
