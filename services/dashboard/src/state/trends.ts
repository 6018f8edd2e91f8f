/**
 * The newest trend window of each metric of one device: five numbers a metric in one Float64Array,
 * metric names in a shared layout. The decoded points in a map took ~1.8 kB a device of the default
 * fleet (bench/experiments/dashboard-state.ts).
 */
import type { TrendPoint } from "@iot/common/telemetry";
import type { Layout } from "./layouts";

const MAX_TREND_METRICS = 64;
/** v, avg, min, max, t a metric. */
const FIGURES = 5;

export interface Trends {
  readonly size: number;
  get(metric: string): TrendPoint | undefined;
  /** In the order metrics were first seen. */
  points(): TrendPoint[];
  /** Keeps the point unless a newer window of its metric is known; past MAX_TREND_METRICS new metrics are ignored. */
  add(p: TrendPoint): void;
}

class TrendTable implements Trends {
  private values = new Float64Array(0);

  constructor(private layout: Layout) {}

  get size() {
    return this.layout.fields.length;
  }

  get(metric: string) {
    const i = this.layout.index.get(metric);
    return i === undefined ? undefined : this.point(i);
  }

  points() {
    return this.layout.fields.map((_, i) => this.point(i));
  }

  add(p: TrendPoint) {
    let i = this.layout.index.get(p.c);
    if (i === undefined) {
      if (this.size >= MAX_TREND_METRICS) return;
      this.layout = this.layout.with(p.c);
      i = this.size - 1;
      const values = new Float64Array(this.size * FIGURES);
      values.set(this.values);
      this.values = values;
    } else if (p.t < this.values[i * FIGURES + 4]!) return;
    this.values.set([p.v, p.avg, p.min, p.max, p.t], i * FIGURES);
  }

  private point(i: number): TrendPoint {
    const [v, avg, min, max, t] = this.values.subarray(i * FIGURES, (i + 1) * FIGURES);
    return { c: this.layout.fields[i]!, v: v!, avg: avg!, min: min!, max: max!, t: t! };
  }
}

/** `layouts`: shared with the store's other devices (createLayouts). */
export const createTrends = (layouts: Layout): Trends => new TrendTable(layouts);
