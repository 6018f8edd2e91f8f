/**
 * End-to-end, every service its own process on a real broker: the happy path through to the
 * dashboard, then the fault drills. Each drill ends with the delivery check (every raw record is in
 * the enriched or the dead-letter topic) and prints its counts.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@iot/common/testing";
import type { ServiceProcess } from "@iot/common/testing-process";
import { sseEvents } from "../../services/dashboard/test/sse";
import {
  createLedger,
  drillBroker,
  metric,
  platformEnv,
  type Platform,
  startDashboard,
  startEnrichment,
  startRegistry,
  startSimulator,
} from "./drill-kit";

const APP = "Breaker Ops Console";
let broker: Awaited<ReturnType<typeof drillBroker>>;
let p: Platform;
let ledger: Awaited<ReturnType<typeof createLedger>>;
const procs: Record<string, ServiceProcess> = {};

beforeAll(async () => {
  broker = await drillBroker();
  console.log(`drills broker: ${broker.started}`);
  p = await platformEnv(broker.brokers);
  procs.registry = await startRegistry(p);
  const res = await fetch(`${p.env.REGISTRY_URL}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name: APP,
      developer: "Grid Ops",
      platform: "web",
      category: "Monitoring",
      devicetypes: ["smart_breaker"],
      version: "2.1.0",
      contact_email: "ops@example.com",
    }),
  });
  expect(res.status).toBe(201);
  procs.enrichment = await startEnrichment(p);
  procs.dashboard = await startDashboard(p);
  procs.simulator = await startSimulator(p, 200);
  ledger = await createLedger(broker.brokers, p);
}, 120_000);

afterAll(async () => {
  await ledger?.stop();
  for (const proc of Object.values(procs)) await proc.stop("SIGKILL");
  await broker?.stop();
}, 60_000);

const progress = async (what: string, extra: number) => {
  const start = ledger.counts.enriched;
  await eventually(
    `${what}: ${extra} more enriched`,
    () => (ledger.counts.enriched >= start + extra ? true : undefined),
    60_000,
  );
};

describe("end to end", () => {
  test("happy path: the dashboard's live stream shows enriched messages carrying the registered applications", async () => {
    const res = await fetch(`http://127.0.0.1:${p.ports.dashboard}/live/overview?tab=enriched`);
    const events = sseEvents(res.body!);
    const row = await eventually(
      "an enriched breaker row naming its application in the live feed",
      async () => {
        const { data } = await events.next();
        return data
          .split('<li id="f-')
          .find((r) => /etype">telemetry/.test(r) && /breaker-\d+/.test(r) && r.includes(`1 app: ${APP}`));
      },
      30_000,
    );
    await events.cancel();
    expect(row).not.toContain("registry data not current");
    expect((await ledger.verify("happy-path")).missing).toBe(0);
  }, 90_000);

  test("SIGKILL enrichment mid-stream, then restart it", async () => {
    await progress("before the kill", 100);
    expect(await procs.enrichment!.stop("SIGKILL")).not.toBe(0);
    procs.enrichment = await startEnrichment(p);
    expect((await ledger.verify("sigkill-enrichment")).missing).toBe(0);
  }, 120_000);

  test("the registry stopped for 30 s: the stream keeps flowing, marked not current, and recovers", async () => {
    await procs.registry!.stop("SIGTERM");
    await eventually("enrichment to see the registry gone", async () =>
      (await metric(p.ports.enrichment, "enrichment_registry_current")) === 0 ? true : undefined,
    );
    const before = ledger.counts.enriched;
    await Bun.sleep(30_000); // the outage itself
    expect(ledger.counts.enriched).toBeGreaterThan(before);
    expect(await metric(p.ports.enrichment, "enrichment_registry_lookups_total")).toBeGreaterThan(0);
    procs.registry = await startRegistry(p);
    await eventually(
      "enrichment current again",
      async () => ((await metric(p.ports.enrichment, "enrichment_registry_current")) === 1 ? true : undefined),
      30_000,
    );
    expect((await ledger.verify("registry-outage-30s")).missing).toBe(0);
  }, 150_000);

  test("the broker restarted", async () => {
    console.log(`drills broker restart: ${await broker.restart()}`);
    await progress("after the broker restart", 200);
    expect((await ledger.verify("broker-restart")).missing).toBe(0);
  }, 150_000);

  test("10,000 malformed messages injected", async () => {
    const deadBefore = ledger.counts.dead;
    const garbage = Array.from({ length: 10_000 }, (_, i) => ({
      key: `junk-${i}`,
      value: new TextEncoder().encode(i % 2 ? `{"device_id":` : `[${i}]`),
    }));
    await ledger.bus.publish(p.topics.raw, garbage);
    expect((await ledger.verify("10k-malformed")).missing).toBe(0);
    expect(ledger.counts.dead - deadBefore).toBeGreaterThanOrEqual(10_000);
  }, 120_000);

  test("two enrichment replicas, one killed", async () => {
    procs.enrichmentB = await startEnrichment(p, p.ports.enrichmentB);
    const consumed = async (port: number) => (await metric(port, "enrichment_consumed_total")) ?? 0;
    const [a0, b0] = [await consumed(p.ports.enrichment), await consumed(p.ports.enrichmentB)];
    await eventually(
      "both replicas consuming",
      async () =>
        (await consumed(p.ports.enrichment)) > a0 && (await consumed(p.ports.enrichmentB)) > b0 ? true : undefined,
      60_000,
    );
    expect(await procs.enrichment!.stop("SIGKILL")).not.toBe(0);
    await progress("with one replica left", 200);
    expect((await ledger.verify("replica-killed")).missing).toBe(0);
  }, 150_000);
});
