/** The publisher against a bus stub that can be taken down, held and brought back (a stub only here: the Kafka path is in test/). */
import { describe, expect, test } from "bun:test";
import type { EventBus, OutgoingRecord } from "@iot/common/bus";
import { sendEnd } from "@iot/common/bus/send-size";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { createPublisher, type Publisher } from "./publisher";
import { createSimulatorMetrics } from "./simulator-metrics";

function stubBus() {
  const waiters: Array<() => void> = [];
  const bus = {
    up: true,
    starts: 0,
    stops: 0,
    attempts: 0,
    gate: Promise.resolve(),
    batches: [] as OutgoingRecord[][],
    /** Resolves once `n` publish attempts have been made. */
    attempted: (n: number) =>
      new Promise<void>((resolve) =>
        bus.attempts >= n ? resolve() : waiters.push(() => bus.attempts >= n && resolve()),
      ),
    kind: "kafka" as const,
    async start() {
      bus.starts++;
    },
    async ready() {
      return bus.up;
    },
    async publish(_topic: string, records: OutgoingRecord[]) {
      bus.attempts++;
      waiters.forEach((w) => w());
      await bus.gate;
      if (!bus.up) throw new Error("broker unreachable");
      bus.batches.push(records);
    },
    subscribe: () => Promise.reject(new Error("not used")),
    stats: () => Promise.reject(new Error("not used")),
    async stop() {
      bus.stops++;
    },
  };
  return bus;
}

function setup(bus: ReturnType<typeof stubBus>, maxBuffered = 1_000) {
  const metrics = createMetrics();
  let publisher: Publisher | undefined;
  const m = createSimulatorMetrics(metrics, { buffered: () => publisher?.buffered() ?? 0, lagSeconds: () => 0 });
  publisher = createPublisher({
    bus: bus as EventBus,
    topic: "raw",
    log: quietLogger(),
    metrics: m,
    maxBuffered,
    backoffMs: { initial: 1, max: 20 },
  });
  return { publisher, metric: async (name: string) => parseMetrics(await metrics.render()).get(name) ?? 0 };
}

const record = (i: number, bytes = 10): OutgoingRecord => ({
  key: `dev-${i % 7}`,
  value: new Uint8Array(bytes).fill(i % 256),
  headers: { n: String(i) },
});
/** What reached the bus, checked to keep each key's order (lanes interleave different keys). */
function delivered(bus: ReturnType<typeof stubBus>): number[] {
  const all = bus.batches.flat();
  for (const key of new Set(all.map((r) => r.key))) {
    const mine = all.filter((r) => r.key === key).map((r) => Number(r.headers!.n));
    expect(mine).toEqual([...mine].sort((a, b) => a - b));
  }
  return all.map((r) => Number(r.headers!.n)).sort((a, b) => a - b);
}
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("publisher", () => {
  test("broker down: buffers up to the bound, counts what it refuses, and delivers the buffer (each key in order) once back", async () => {
    const bus = stubBus();
    bus.up = false;
    const { publisher, metric } = setup(bus, 100);
    publisher.start();
    const accepted = range(150).map((i) => publisher.offer(() => record(i)));
    expect(accepted.filter(Boolean).length).toBe(100);
    expect(accepted.slice(100).some(Boolean)).toBe(false);
    expect(await metric('simulator_dropped_total{reason="buffer_full"}')).toBe(50);
    expect(await metric("simulator_buffered_records")).toBe(100);

    await bus.attempted(5); // over 2 lanes, some lane has now failed twice and retried
    expect(await metric("simulator_publish_failures_total")).toBeGreaterThanOrEqual(2);
    bus.up = true;
    await publisher.idle();
    expect(delivered(bus)).toEqual(range(100));
    expect(await metric("simulator_published_total")).toBe(100);
    expect(await metric("simulator_buffered_records")).toBe(0);
    await publisher.stop(1_000);
  });

  test("failed publishes are retried from the buffer; the bus is left to its owner (never started or stopped here)", async () => {
    const bus = stubBus();
    bus.up = false;
    const { publisher } = setup(bus);
    range(10).forEach((i) => publisher.offer(() => record(i)));
    publisher.start();
    await bus.attempted(4);
    bus.up = true;
    await publisher.idle();
    expect(delivered(bus)).toEqual(range(10));
    await publisher.stop(1_000);
    expect([bus.starts, bus.stops]).toEqual([0, 0]);
  });

  test("stop flushes what is buffered, in batches of one bus send each", async () => {
    const bus = stubBus();
    let open = () => undefined as void;
    bus.gate = new Promise<void>((resolve) => (open = resolve));
    const { publisher, metric } = setup(bus, 10_000);
    range(5_000).forEach((i) => publisher.offer(() => record(i, 1_000)));
    publisher.start();
    await bus.attempted(1);
    const stopping = publisher.stop(10_000);
    open();
    await stopping;
    expect(delivered(bus)).toEqual(range(5_000));
    expect(bus.batches.length).toBeGreaterThan(1);
    // Each batch is exactly one of the bus's sends, so a retry re-sends no more than one send.
    for (const b of bus.batches) expect(sendEnd(b, 0)).toBe(b.length);
    expect(await metric('simulator_dropped_total{reason="shutdown"}')).toBe(0);
  });

  test("stop with the broker still down gives up at the deadline and counts the rest as dropped", async () => {
    const bus = stubBus();
    bus.up = false;
    const { publisher, metric } = setup(bus);
    range(20).forEach((i) => publisher.offer(() => record(i)));
    publisher.start();
    await bus.attempted(1);
    await publisher.stop(50);
    expect(delivered(bus)).toEqual([]);
    expect(await metric('simulator_dropped_total{reason="shutdown"}')).toBe(20);
    expect(await metric("simulator_buffered_records")).toBe(0);
  });
});
