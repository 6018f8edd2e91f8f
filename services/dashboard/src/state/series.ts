/**
 * Recent numeric readings of one device, column per field ("voltage.phase_a"), oldest first.
 * Stored in typed arrays so a thousand devices cost a few megabytes, not a heap of objects.
 */
const MAX_COLUMNS = 64;

export interface Series {
  /** Ignores a point not newer than the last one: redelivered or late records do not fold the line back. */
  add(t: number, values: Array<[string, number]>): void;
  times(): number[];
  /** Aligned with times(); null where a field was absent. */
  column(field: string): Array<number | null>;
  /** Fields with at least one value among the points kept. */
  fields(): string[];
  /** Forgets every point but keeps the arrays, so a series can be reused for another device. */
  clear(): void;
}

export function createSeries(capacity: number): Series {
  const times = new Float64Array(capacity);
  const cols = new Map<string, Float64Array>();
  let next = 0;
  let length = 0;
  let last = -Infinity;
  const order = <T>(read: (i: number) => T): T[] =>
    Array.from({ length }, (_, k) => read((next - length + k + capacity) % capacity));

  return {
    add(t, values) {
      if (!(t > last)) return;
      last = t;
      times[next] = t;
      for (const col of cols.values()) col[next] = NaN;
      for (const [field, v] of values) {
        let col = cols.get(field);
        if (!col) {
          if (cols.size >= MAX_COLUMNS) continue;
          cols.set(field, (col = new Float64Array(capacity).fill(NaN)));
        }
        col[next] = v;
      }
      next = (next + 1) % capacity;
      length = Math.min(length + 1, capacity);
    },
    times: () => order((i) => times[i]!),
    column(field) {
      const col = cols.get(field);
      return order((i) => (col && !Number.isNaN(col[i]!) ? col[i]! : null));
    },
    fields() {
      return [...cols].filter(([, col]) => order((i) => col[i]!).some((v) => !Number.isNaN(v))).map(([f]) => f);
    },
    clear() {
      next = 0;
      length = 0;
      last = -Infinity;
    },
  };
}
