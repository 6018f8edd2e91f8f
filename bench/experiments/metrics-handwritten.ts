/**
 * The hand-written registry that services/common/src/metrics.ts replaced with prom-client, kept
 * verbatim (from commit 7e51622) only as the baseline that bench/experiments/metrics.ts measures against.
 */

type Labels = Record<string, string>;

interface Series {
  render(): string[];
}

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
const fmtLabels = (labels: Labels) => {
  const parts = Object.entries(labels).map(
    ([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`,
  );
  return parts.length ? `{${parts.join(",")}}` : "";
};
const num = (n: number) => (Number.isFinite(n) ? String(n) : n > 0 ? "+Inf" : n < 0 ? "-Inf" : "NaN");

export interface Counter {
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Gauge {
  set(value: number, labels?: Labels): void;
  inc(labels?: Labels, by?: number): void;
  get(labels?: Labels): number;
}
export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface Metrics {
  counter(name: string, help: string): Counter;
  gauge(name: string, help: string, collect?: () => number | Array<[Labels, number]>): Gauge;
  histogram(name: string, help: string, buckets: number[]): Histogram;
  render(): string;
}

export function createMetrics(prefix = ""): Metrics {
  const families: Array<{ name: string; help: string; type: string; series: Series }> = [];

  function valued(name: string, collect?: () => number | Array<[Labels, number]>) {
    const values = new Map<string, [Labels, number]>();
    const series: Series = {
      render() {
        const extra = collect?.();
        if (typeof extra === "number") values.set(key({}), [{}, extra]);
        else extra?.forEach(([l, v]) => values.set(key(l), [l, v]));
        return [...values.values()].map(([l, v]) => `${name}${fmtLabels(l)} ${num(v)}`);
      },
    };
    const add = (labels: Labels, by: number) => {
      const k = key(labels);
      const cur = values.get(k);
      values.set(k, [labels, (cur?.[1] ?? 0) + by]);
    };
    return { series, values, add };
  }

  const register = (name: string, help: string, type: string, series: Series) => {
    const full = prefix + name;
    if (families.some((f) => f.name === full)) throw new Error(`metric ${full} registered twice`);
    families.push({ name: full, help, type, series });
    return full;
  };

  return {
    counter(name, help) {
      const v = valued(prefix + name);
      register(name, help, "counter", v.series);
      return {
        inc: (labels = {}, by = 1) => v.add(labels, by),
        get: (labels = {}) => v.values.get(key(labels))?.[1] ?? 0,
      };
    },
    gauge(name, help, collect) {
      const v = valued(prefix + name, collect);
      register(name, help, "gauge", v.series);
      return {
        set: (value, labels = {}) => void v.values.set(key(labels), [labels, value]),
        inc: (labels = {}, by = 1) => v.add(labels, by),
        get: (labels = {}) => v.values.get(key(labels))?.[1] ?? 0,
      };
    },
    histogram(name, help, buckets) {
      const full = prefix + name;
      const bounds = [...buckets].sort((a, b) => a - b);
      const all = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
      register(name, help, "histogram", {
        render: () =>
          [...all.values()].flatMap(({ labels, counts, sum, count }) => [
            ...bounds.map((b, i) => `${full}_bucket${fmtLabels({ ...labels, le: num(b) })} ${counts[i]}`),
            `${full}_bucket${fmtLabels({ ...labels, le: "+Inf" })} ${count}`,
            `${full}_sum${fmtLabels(labels)} ${num(sum)}`,
            `${full}_count${fmtLabels(labels)} ${count}`,
          ]),
      });
      return {
        observe(value, labels = {}) {
          const k = key(labels);
          let h = all.get(k);
          if (!h) all.set(k, (h = { labels, counts: bounds.map(() => 0), sum: 0, count: 0 }));
          for (let i = 0; i < bounds.length; i++) if (value <= bounds[i]!) h.counts[i]!++;
          h.sum += value;
          h.count++;
        },
      };
    },
    render: () =>
      families
        .map((f) => [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`, ...f.series.render()].join("\n"))
        .join("\n") + "\n",
  };
}
