/**
 * Recent numeric readings of one device, column per field ("voltage.phase_a"), oldest first.
 * A series is two typed arrays: the times, and every column's values side by side as integers of a
 * decimal scale (119.55 as 11955 at 1/100), each read back as the very number written; a column with
 * a value no scale holds exactly keeps doubles instead. Which column holds which field is a layout
 * shared by every series that met the same fields in the same order (every device of a type).
 * Why so tight: the heap left after a full collection is what sets the dashboard's peak RSS, and 60
 * points of the default fleet's ~13 fields took ~8.5 kB a device as a Float64Array per field in a map
 * of its own, ~3.8 kB this way (bench/experiments/dashboard-state.ts).
 */
import { createLayouts, type Layout } from "./layouts";

const MAX_COLUMNS = 64;
/** Decimal scales a column may use, smallest first. */
const SCALES = [1, 10, 100, 1_000, 10_000];
/** A column's scale once it holds doubles. */
const DOUBLES = -1;
/** An absent value in an integer column (never a scaled value: those stay within ±INT_LIMIT). */
const ABSENT = -0x80000000;
const INT_LIMIT = 0x7fffffff;

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

/** The scale (index into SCALES) at which `v` is an integer read back exactly, or DOUBLES. */
function scaleOf(v: number): number {
  for (let s = 0; s < SCALES.length; s++) {
    const m = Math.round(v * SCALES[s]!);
    if (Math.abs(m) <= INT_LIMIT && Object.is(m / SCALES[s]!, v)) return s;
  }
  return DOUBLES;
}

class RingSeries implements Series {
  private readonly stamps: Float64Array;
  private layout: Layout;
  /** Column c's values at [c * capacity, (c + 1) * capacity). */
  private ints: Int32Array;
  /** Per column: index into SCALES, or DOUBLES. */
  private scales: number[] = [];
  /** Columns that hold doubles (rare: a value with more than four decimals). */
  private doubles: Map<number, Float64Array> | undefined;
  private next = 0;
  private length = 0;
  private last = -Infinity;

  constructor(
    private readonly capacity: number,
    private readonly root: Layout,
  ) {
    this.stamps = new Float64Array(capacity);
    this.layout = root;
    this.ints = new Int32Array(0);
  }

  add(t: number, values: Array<[string, number]>) {
    if (!(t > this.last)) return;
    this.last = t;
    let layout = this.layout;
    for (const [field] of values)
      if (!layout.index.has(field) && layout.fields.length < MAX_COLUMNS) layout = layout.with(field);
    if (layout !== this.layout) this.widen(layout);
    const at = this.next;
    this.stamps[at] = t;
    for (let c = 0; c < this.scales.length; c++) this.write(c, at, NaN);
    for (const [field, v] of values) {
      const c = layout.index.get(field);
      if (c !== undefined) this.write(c, at, v);
    }
    this.next = (at + 1) % this.capacity;
    this.length = Math.min(this.length + 1, this.capacity);
  }

  times() {
    return this.order((i) => this.stamps[i]!);
  }

  column(field: string) {
    const c = this.layout.index.get(field);
    return this.order((i) => (c === undefined ? null : this.read(c, i)));
  }

  fields() {
    return this.layout.fields.filter((_, c) => this.order((i) => this.read(c, i)).some((v) => v !== null));
  }

  clear() {
    this.next = 0;
    this.length = 0;
    this.last = -Infinity;
    this.layout = this.root;
    this.scales = [];
    this.doubles = undefined;
  }

  private order<T>(read: (i: number) => T): T[] {
    const { length, next, capacity } = this;
    return Array.from({ length }, (_, k) => read((next - length + k + capacity) % capacity));
  }

  private read(c: number, i: number): number | null {
    const scale = this.scales[c]!;
    if (scale === DOUBLES) {
      const v = this.doubles!.get(c)![i]!;
      return Number.isNaN(v) ? null : v;
    }
    const m = this.ints[c * this.capacity + i]!;
    return m === ABSENT ? null : m / SCALES[scale]!;
  }

  /** NaN writes an absent value. */
  private write(c: number, i: number, v: number) {
    const scale = this.scales[c]!;
    if (scale !== DOUBLES) {
      const s = Number.isNaN(v) ? scale : scaleOf(v);
      if (s !== DOUBLES && (s <= scale || this.rescale(c, s))) {
        const m = Number.isNaN(v) ? ABSENT : Math.round(v * SCALES[this.scales[c]!]!);
        if (m === ABSENT || Math.abs(m) <= INT_LIMIT) {
          this.ints[c * this.capacity + i] = m;
          return;
        }
      }
      this.toDoubles(c);
    }
    this.doubles!.get(c)![i] = v;
  }

  /** New columns for the fields `layout` adds, all absent; the array is kept when it is long enough. */
  private widen(layout: Layout) {
    const from = this.scales.length;
    const to = layout.fields.length;
    if (this.ints.length < to * this.capacity) {
      const ints = new Int32Array(to * this.capacity);
      ints.set(this.ints.subarray(0, from * this.capacity));
      this.ints = ints;
    }
    this.ints.fill(ABSENT, from * this.capacity, to * this.capacity);
    for (let c = from; c < to; c++) this.scales.push(0);
    this.layout = layout;
  }

  /** Moves column c's values to a finer scale, if they all still fit. */
  private rescale(c: number, s: number): boolean {
    const col = this.ints.subarray(c * this.capacity, (c + 1) * this.capacity);
    const factor = SCALES[s]! / SCALES[this.scales[c]!]!;
    for (const m of col) if (m !== ABSENT && Math.abs(m * factor) > INT_LIMIT) return false;
    for (let i = 0; i < col.length; i++) if (col[i] !== ABSENT) col[i] = col[i]! * factor;
    this.scales[c] = s;
    return true;
  }

  private toDoubles(c: number) {
    const col = new Float64Array(this.capacity);
    for (let i = 0; i < col.length; i++) col[i] = this.read(c, i) ?? NaN;
    (this.doubles ??= new Map()).set(c, col);
    this.scales[c] = DOUBLES;
  }
}

/** `layouts`: share them with the other series of a store (createLayouts); a series alone gets its own. */
export const createSeries = (capacity: number, layouts = createLayouts()): Series => new RingSeries(capacity, layouts);
