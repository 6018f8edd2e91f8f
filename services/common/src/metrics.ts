/**
 * Each service's Prometheus registry: prom-client behind the small facade the services use.
 * Label names are declared when a metric is made (a label not declared is a programming error and
 * throws). A callback gauge reports exactly what its callback returns at each scrape, so a label
 * set that is gone stops being reported.
 */
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry } from "prom-client";

export type Labels = Record<string, string>;
type LabelNames = readonly string[];
/** A gauge read at scrape time: one value, or one value per label set. */
export type Collect = () => number | Array<[Labels, number]>;

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): Promise<number>;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): Promise<number>;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface Metrics {
  counter(name: string, help: string, labelNames?: LabelNames): Counter;
  /** A gauge that is set, or (given a callback) read at scrape time. */
  gauge(name: string, help: string, source?: Collect | { collect?: Collect; labelNames?: LabelNames }): Gauge;
  histogram(name: string, help: string, buckets: number[], labelNames?: LabelNames): Histogram;
  /** The Prometheus text exposition. */
  render(): Promise<string>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const names = (labelNames: LabelNames = []) => [...labelNames];

  /** The value of one label set (all of them given, none more). */
  const valueOf = async (metric: PromCounter | PromGauge, labels: Labels) => {
    const keys = Object.keys(labels);
    const { values } = await metric.get();
    const hit = values.find(
      (v) => Object.keys(v.labels).length === keys.length && keys.every((k) => String(v.labels[k]) === labels[k]),
    );
    return hit?.value ?? 0;
  };

  return {
    counter(name, help, labelNames) {
      const c = new PromCounter({ name, help, labelNames: names(labelNames), registers });
      return {
        inc: (labels = {}, by = 1) => c.inc(labels, by),
        get: (labels = {}) => valueOf(c, labels),
      };
    },
    gauge(name, help, source) {
      const { collect, labelNames } =
        typeof source === "function" ? { collect: source, labelNames: undefined } : (source ?? {});
      const g: PromGauge = new PromGauge({
        name,
        help,
        labelNames: names(labelNames),
        registers,
        ...(collect && {
          collect() {
            const now = collect();
            g.reset();
            if (typeof now === "number") g.set(now);
            else for (const [labels, value] of now) g.set(labels, value);
          },
        }),
      });
      return {
        set: (value, labels = {}) => g.set(labels, value),
        inc: (labels = {}, by = 1) => g.inc(labels, by),
        get: (labels = {}) => valueOf(g, labels),
      };
    },
    histogram(name, help, buckets, labelNames) {
      const h = new PromHistogram({ name, help, buckets, labelNames: names(labelNames), registers });
      return { observe: (value, labels = {}) => h.observe(labels, value) };
    },
    render: () => registry.metrics(),
  };
}

/** Parses Prometheus text into `name{labels}` → value, for the dashboard and tests. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
