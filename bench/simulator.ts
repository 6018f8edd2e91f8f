/**
 * The simulator's highest sustained publish rate against a real broker (KAFKA_BROKERS).
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/simulator.ts [--devices smart_breaker=100000] [--rates 20000,30000,40000]
 *     [--duration 30] [--format json|protobuf|both (default)]
 * Each step runs a fresh fleet with the interval that gives the target rate (devices / rate) for
 * `duration` seconds, in a process of its own (so its memory is its own) running the simulator as
 * `bun run simulator` does. A step is sustained when, after a
 * warm-up quarter, telemetry is generated at ≥ 98 % of the target, the schedule does not fall
 * behind, the buffer ends under one second's worth and nothing is dropped (the buffer may hold five
 * seconds' worth). The ramp stops at the first step that is not. Prints a table and writes
 * bench/results/simulator.json.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { createKafkaBusFromConfig } from "@iot/common/bus-config";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import { createLogger } from "@iot/common/logger";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { loadConfig, type SimulatorConfig } from "../services/simulator/src/config";
import { createSimulator } from "../services/simulator/src/simulator";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    devices: { type: "string", default: "smart_breaker=100000" },
    rates: { type: "string", default: "20000,30000,40000,50000" },
    duration: { type: "string", default: "30" },
    format: { type: "string", default: "both" },
    // Internal: run one step ("json:20000") on `topic` and print its result as JSON.
    step: { type: "string" },
    topic: { type: "string", default: `bench.simulator.${Date.now().toString(36)}` },
  },
});
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is required (e.g. 127.0.0.1:9092; `bun run kafka:start` starts one)");
const seconds = Number(flags.duration);
const formats = flags.format === "both" ? ["json", "protobuf"] : [flags.format];
const log = createLogger("bench", { level: "warn" });
const registry = await loadDeviceRegistry("config/device-registry.json");
const topic = flags.topic;
// The broker and any other work on the machine share its CPUs: the load before the run says how quiet it was.
const loadBefore = loadavg().map((x) => Math.round(x * 100) / 100);
const mb = (bytes: number) => Math.round(bytes / 1048576);

interface Step {
  format: string;
  target_msg_per_s: number;
  interval_s: number;
  generated_msg_per_s: number;
  published_msg_per_s: number;
  end_lag_s: number;
  end_buffered: number;
  dropped: number;
  max_rss_mb: number;
  sustained: boolean;
}

async function step(format: string, target: number): Promise<Step> {
  const base = loadConfig(
    { KAFKA_BROKERS: brokers, SIMULATOR_PORT: "0", TOPIC_RAW: topic, PAYLOAD_FORMAT: format, SIM_SEED: "bench" },
    ["--devices", flags.devices, "--rate", String(target)],
  );
  const config: SimulatorConfig = { ...base, maxBuffered: Math.max(base.maxBuffered, target * 5) };
  const bus = createKafkaBusFromConfig(config.bus, "bench-simulator", log);
  await bus.start();
  const metrics = createMetrics();
  const simulator = createSimulator(config, { bus, log, metrics, registry });
  const read = async () => {
    const m = parseMetrics(await metrics.render());
    return {
      telemetry: m.get('simulator_generated_total{event_type="telemetry"}') ?? 0,
      published: m.get("simulator_published_total") ?? 0,
      dropped: [...m].filter(([k]) => k.startsWith("simulator_dropped_total")).reduce((n, [, v]) => n + v, 0),
      buffered: m.get("simulator_buffered_records") ?? 0,
      lag: m.get("simulator_schedule_lag_seconds") ?? 0,
    };
  };
  await simulator.start();
  let maxRss = 0;
  const warmup = Math.ceil(seconds / 4);
  let from = await read();
  for (let s = 1; s <= seconds; s++) {
    await Bun.sleep(1000);
    maxRss = Math.max(maxRss, process.memoryUsage().rss);
    if (s === warmup) from = await read();
  }
  const to = await read();
  await simulator.stop();
  await bus.stop();
  const span = seconds - warmup;
  const generated = (to.telemetry - from.telemetry) / span;
  const r: Step = {
    format,
    target_msg_per_s: target,
    interval_s: config.intervalMs / 1000,
    generated_msg_per_s: Math.round(generated),
    published_msg_per_s: Math.round((to.published - from.published) / span),
    end_lag_s: Math.round(to.lag * 100) / 100,
    end_buffered: to.buffered,
    dropped: to.dropped,
    max_rss_mb: mb(maxRss),
    sustained: generated >= 0.98 * target && to.lag < 1 && to.buffered < target && to.dropped === 0,
  };
  return r;
}

/** Runs a step in a child process; its last stdout line is the result. */
async function stepInProcess(format: string, target: number): Promise<Step> {
  const args = [
    "--step",
    `${format}:${target}`,
    "--topic",
    topic,
    "--devices",
    flags.devices,
    "--duration",
    flags.duration,
  ];
  const child = Bun.spawn(["bun", import.meta.path, ...args], { stdout: "pipe", stderr: "ignore" });
  const out = (await new Response(child.stdout).text()).trim().split("\n");
  if ((await child.exited) !== 0) throw new Error(`step ${format}:${target} failed:\n${out.join("\n")}`);
  const r: Step = JSON.parse(out.at(-1)!);
  console.log(
    [
      r.format,
      r.target_msg_per_s,
      r.interval_s.toFixed(2),
      r.generated_msg_per_s,
      r.published_msg_per_s,
      r.end_lag_s,
      r.end_buffered,
      r.dropped,
      r.max_rss_mb,
      r.sustained ? "yes" : "no",
    ]
      .map((x) => String(x).padStart(10))
      .join(""),
  );
  return r;
}

if (flags.step) {
  const [format, target] = flags.step.split(":");
  console.log(JSON.stringify(await step(format!, Number(target))));
  process.exit(0);
}

console.log(
  `devices ${flags.devices}, ${seconds} s per step (first ${Math.ceil(seconds / 4)} s warm-up), broker ${brokers}, topic ${topic}`,
);
console.log(
  ["format", "target/s", "interval", "gen/s", "pub/s", "lag s", "buffered", "dropped", "rss MB", "sustained"]
    .map((x) => x.padStart(10))
    .join(""),
);
const steps: Step[] = [];
for (const format of formats) {
  for (const target of flags.rates.split(",").map(Number)) {
    const r = await stepInProcess(format, target);
    steps.push(r);
    if (!r.sustained) break;
  }
}

const admin = new Kafka({ clientId: "bench-cleanup", brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin();
await admin.connect();
await admin.deleteTopics({ topics: [topic] }).finally(() => admin.disconnect());

const best = Object.fromEntries(
  formats.map((f) => [
    f,
    Math.max(0, ...steps.filter((s) => s.format === f && s.sustained).map((s) => s.target_msg_per_s)),
  ]),
);
const result = {
  benchmark: "simulator",
  date: new Date().toISOString(),
  command: `bun bench/simulator.ts ${Bun.argv.slice(2).join(" ")}`.trim(),
  machine: {
    cpu: cpus()[0]?.model ?? "unknown",
    cpus: cpus().length,
    memory_gb: Math.round(totalmem() / 2 ** 30),
    os: `${process.platform} ${process.arch}`,
    bun: Bun.version,
    load_average_before: loadBefore,
  },
  broker: { brokers, note: "single local Kafka node on the same machine" },
  devices: flags.devices,
  seconds_per_step: seconds,
  steps,
  highest_sustained_msg_per_s: best,
};
await Bun.write("bench/results/simulator.json", JSON.stringify(result, null, 2) + "\n");
console.log(
  `highest sustained: ${Object.entries(best)
    .map(([f, n]) => `${f} ${n} msg/s`)
    .join(", ")} → bench/results/simulator.json`,
);
process.exit(0);
