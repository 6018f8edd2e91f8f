/**
 * The metrics registry's cost: prom-client (services/common/src/metrics.ts) against the hand-written
 * registry it replaced (metrics-handwritten.ts, kept only for this). Per implementation: 1e6
 * labelled counter increments (the enrichment's per-batch pattern: a few label values), 1e6
 * histogram observations, 1e6 unlabelled increments, 1e5 times what enrichment records per batch
 * (1 plain and 5 labelled increments, 1 observation), then rendering a registry the size of a
 * service's (about 20 series), timed over 1,000 renders. Best of 3 rounds; CPU time of this process.
 *   bun bench/experiments/metrics.ts [--ops 1000000]
 */
import { parseArgs } from "node:util";
import { createMetrics as promClient } from "@iot/common/metrics";
import { createMetrics as handWritten } from "./metrics-handwritten";

const { values: flags } = parseArgs({ options: { ops: { type: "string", default: "1000000" } } });
const OPS = Number(flags.ops);
const RENDERS = 1_000;
const REASONS = ["malformed", "oversize", "unknown_schema", "invalid_field"];
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The part of each facade this measures; both have it (prom-client's render is async). */
interface Facade {
  counter(
    name: string,
    help: string,
    labelNames?: readonly string[],
  ): { inc(labels?: Record<string, string>, by?: number): void };
  histogram(
    name: string,
    help: string,
    buckets: number[],
    labelNames?: readonly string[],
  ): { observe(v: number): void };
  render(): string | Promise<string>;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
async function timed(run: () => unknown): Promise<number> {
  const t0 = cpuMs();
  await run();
  return cpuMs() - t0;
}

async function round(make: () => Facade) {
  const m = make();
  const labelled = m.counter("dead_lettered_total", "By reason.", ["reason"]);
  const plain = m.counter("consumed_total", "Consumed.");
  const h = m.histogram("batch_seconds", "Batch time.", BUCKETS);
  for (let i = 0; i < 15; i++) m.counter(`other_${i}_total`, "Other.", ["reason"]).inc({ reason: REASONS[i % 4]! });
  const inc = await timed(() => {
    for (let i = 0; i < OPS; i++) labelled.inc({ reason: REASONS[i & 3]! }, 1);
  });
  const observe = await timed(() => {
    for (let i = 0; i < OPS; i++) h.observe((i % 1000) / 1000);
  });
  const incPlain = await timed(() => {
    for (let i = 0; i < OPS; i++) plain.inc();
  });
  const types = m.counter("enriched_total", "By type.", ["device_type"]);
  const lookups = m.counter("lookups_total", "By result.", ["result"]);
  const batch = await timed(() => {
    for (let i = 0; i < OPS / 10; i++) {
      plain.inc({}, 500);
      types.inc({ device_type: "smart_breaker" }, 300);
      types.inc({ device_type: "smart_meter" }, 100);
      types.inc({ device_type: "environmental_sensor" }, 100);
      lookups.inc({ result: "current" }, 500);
      lookups.inc({ result: "stale" }, 0);
      h.observe(0.02);
    }
  });
  let bytes = 0;
  const render = await timed(async () => {
    for (let i = 0; i < RENDERS; i++) bytes = (await m.render()).length;
  });
  return {
    inc_labelled_ns: (inc * 1e6) / OPS,
    observe_ns: (observe * 1e6) / OPS,
    inc_plain_ns: (incPlain * 1e6) / OPS,
    batch_ns: (batch * 1e6) / (OPS / 10),
    render_us: (render * 1e3) / RENDERS,
    render_bytes: bytes,
  };
}

const rows: Array<Record<string, string | number>> = [];
for (const [name, make] of [
  ["hand-written", handWritten],
  ["prom-client 15.1.3", promClient],
] as const) {
  const rounds: Array<Awaited<ReturnType<typeof round>>> = [];
  for (let r = 0; r < 3; r++) rounds.push(await round(make as () => Facade));
  const best = (k: keyof (typeof rounds)[number]) => Math.min(...rounds.map((x) => x[k]));
  rows.push({
    implementation: name,
    "inc labelled ns/op": best("inc_labelled_ns").toFixed(0),
    "observe ns/op": best("observe_ns").toFixed(0),
    "inc plain ns/op": best("inc_plain_ns").toFixed(0),
    "enrichment batch ns": best("batch_ns").toFixed(0),
    "render µs": best("render_us").toFixed(0),
    "render bytes": rounds[0]!.render_bytes,
  });
}
console.log(`metrics registry cost (${OPS.toLocaleString("en")} ops each, best of 3, process CPU; bun ${Bun.version})`);
console.table(rows);
