/** The whole simulator on the in-process bus, as the all-in-one start runs it. */
import { expect, test } from "bun:test";
import { createInProcessBus } from "@iot/common/bus-config";
import { decodeDeviceEvent } from "@iot/common/codec";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import type { DeviceEvent } from "@iot/common/telemetry";
import { eventually, quietLogger } from "@iot/common/testing";
import { loadRegistry } from "../test/support";
import { loadConfig } from "./config";
import { createSimulator, type SimulatorDeps } from "./simulator";

const registry = await loadRegistry();

/** Runs a simulator to its SIM_COUNT on a fresh in-process bus; returns what a subscriber saw and the metrics. */
async function runToCount(env: Record<string, string>, clock?: SimulatorDeps["clock"]) {
  const config = loadConfig({ SIMULATOR_PORT: "0", ...env });
  const log = quietLogger();
  const bus = createInProcessBus(config.bus, log);
  const seen: DeviceEvent[] = [];
  await bus.subscribe({
    groupId: "test",
    topics: [config.bus.topics.raw],
    handler: async (b) => void seen.push(...b.records.map((r) => decodeDeviceEvent(r.value, r.headers))),
  });
  const metrics = createMetrics();
  const simulator = createSimulator(config, { bus, log, metrics, registry, clock });
  await simulator.start();
  await simulator.finished;
  await simulator.stop();
  expect(await simulator.checks()).toEqual({ broker: true });
  const m = parseMetrics(await metrics.render());
  const generated =
    m.get('simulator_generated_total{event_type="telemetry"}')! +
    (m.get('simulator_generated_total{event_type="trends"}') ?? 0);
  expect(m.get("simulator_published_total")).toBe(generated);
  await eventually("every published event", () => (seen.length === generated ? true : undefined));
  await bus.stop();
  return { seen, metrics: m };
}

test("runs on the in-process bus until its count, then has published every event it generated", async () => {
  const { seen, metrics } = await runToCount({
    PUBLISH_INTERVAL: "0.1",
    SIM_COUNT: "60",
    SIM_SEED: "memory",
    TRENDS_INTERVAL: "1",
  });
  expect(metrics.get('simulator_generated_total{event_type="telemetry"}')).toBe(60);
  expect(seen.filter((e) => e.event_type === "telemetry").length).toBe(60);
  expect(new Set(seen.map((e) => e.device_id))).toEqual(
    new Set(["breaker-001", "breaker-002", "breaker-003", "meter-001", "environmental-sensor-001"]),
  );
});

test("one seed and one clock give the same records, to the microsecond", async () => {
  const start = Date.parse("2026-01-05T10:02:17.345Z");
  // The clock stands at the start, then jumps 30 simulated seconds: the next tick publishes all that came due.
  let calls = 0;
  const clock = () => (calls++ === 0 ? start : start + 30_000);
  const env = { SIM_COUNT: "25", SIM_SEED: "same", TRENDS_INTERVAL: "10" };
  // Partitions are consumed concurrently, so compare in a fixed order.
  const sorted = (events: DeviceEvent[]) => events.map((e) => JSON.stringify(e)).sort();
  const first = (await runToCount(env, clock)).seen;
  calls = 0;
  const second = (await runToCount(env, clock)).seen;
  expect(first.filter((e) => e.event_type === "telemetry").length).toBe(25);
  expect(first.some((e) => e.event_type === "trends")).toBe(true);
  expect(sorted(second)).toEqual(sorted(first));
});
