/**
 * A batch's points as raw message rows for PostgreSQL: one row per (device, time), with the ids of
 * its series and their values at the same index, as array literals the statement casts. A series
 * repeated at one time keeps its first value, as a repeated key does in a per-point insert.
 */
import type { Point } from "../points";

export interface MessageRows {
  devices: string[];
  times: number[];
  /** `{3,4,9}`: cast to int[] in SQL. */
  seriesIds: string[];
  /** `{230.1,4.5,0.98}`: cast to float8[]; JS prints the shortest text that reads back the same double. */
  readings: string[];
}

interface Row {
  deviceId: string;
  ts: number;
  ids: number[];
  values: number[];
}

/** `seriesIds[i]` is the series of `points[i]`. */
export function toMessageRows(points: Point[], seriesIds: number[]): MessageRows {
  const rows = new Map<string, Row>();
  // A message's points arrive one after another: the row is looked up once per message, not per point.
  let row: Row | undefined;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    if (row?.deviceId !== p.deviceId || row.ts !== p.ts) {
      const key = `${p.deviceId}\u0000${p.ts}`;
      row = rows.get(key);
      if (!row) rows.set(key, (row = { deviceId: p.deviceId, ts: p.ts, ids: [], values: [] }));
    }
    const id = seriesIds[i]!;
    if (!row.ids.includes(id)) {
      row.ids.push(id);
      row.values.push(p.value);
    }
  }
  // In key order, so concurrent writers of the same rows take their locks alike.
  const sorted = [...rows.values()].sort((a, b) =>
    a.deviceId === b.deviceId ? a.ts - b.ts : a.deviceId < b.deviceId ? -1 : 1,
  );
  return {
    devices: sorted.map((r) => r.deviceId),
    times: sorted.map((r) => r.ts),
    seriesIds: sorted.map((r) => `{${r.ids.join(",")}}`),
    readings: sorted.map((r) => `{${r.values.join(",")}}`),
  };
}
