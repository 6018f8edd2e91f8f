/** The simulator's device transports: `--transport mqtt` and `--transport http` reach iot.raw through ingest, as the devices they simulate. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { join } from "node:path";
import { registryProcess } from "../../enrichment/test/fixtures";
import { loadConfig } from "../src/config";
import { createIngest, type Ingest } from "../src/ingest";
import { collect, ingestEnv, root, testBus, testTopics } from "./fixtures";

const t = testTopics();
let bus: EventBus;
let registry: Awaited<ReturnType<typeof registryProcess>>;
let ingest: Ingest;

beforeAll(async () => {
  bus = await testBus(t);
  registry = await registryProcess();
  ingest = createIngest(loadConfig(ingestEnv(t, { REGISTRY_RPC_URL: registry.rpcUrl })), {
    bus,
    log: quietLogger(),
    metrics: createMetrics(),
  });
  await ingest.start();
  await eventually("credentials", () => (ingest.credentials.current ? true : undefined));
}, 30_000);
afterAll(async () => {
  await ingest?.stop();
  await registry?.proc.stop();
  await bus?.stop();
});

for (const transport of ["mqtt", "http"] as const) {
  test(`--transport ${transport}: every message the simulator counted as published is on iot.raw, sent by its own device`, async () => {
    const url = transport === "mqtt" ? `mqtt://127.0.0.1:${ingest.mqttPort()}` : ingest.httpUrl();
    // The second run finds the devices registered by the first and takes new tokens for them.
    const run = Bun.spawn(
      [
        "bun",
        join(root, "services/simulator/src/main.ts"),
        "--transport",
        transport,
        "--count",
        "12",
        "--rate",
        "30",
        "--burst",
      ],
      {
        env: {
          ...process.env,
          ...ingestEnv(t),
          SIMULATOR_PORT: "0",
          REGISTRY_URL: registry.httpUrl,
          SIM_INGEST_URL: url,
          SIM_DEVICES: "smart_meter=3",
          LOG_LEVEL: "info",
        },
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    expect(await run.exited).toBe(0);
    const raw = await collect(bus, t.raw);
    const mine = await eventually(`12 ${transport} records`, () => {
      const got = raw.records.filter((r) => r.headers.transport === transport);
      return got.length >= 12 ? got : undefined;
    });
    await raw.stop();
    expect(new Set(mine.map((r) => r.key))).toEqual(new Set(["meter-001", "meter-002", "meter-003"]));
    expect(mine.every((r) => r.headers["device-id"] === r.key)).toBe(true);
  }, 60_000);
}
