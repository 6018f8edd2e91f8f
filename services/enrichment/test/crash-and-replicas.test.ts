/** At-least-once across a SIGKILL, and two replicas sharing the work, against the real broker. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { encodeDeviceEvent } from "@iot/common/codec";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { spawnService } from "@iot/common/testing-process";
import { join } from "node:path";
import { loadConfig } from "../src/config";
import { createEnrichment } from "../src/enrichment";
import { HEADER } from "@iot/common/wire";
import { collect, enrichmentEnv, registryProcess, root, telemetry, testBus, testTopics } from "./fixtures";

let registry: Awaited<ReturnType<typeof registryProcess>>;
const cleanup: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  registry = await registryProcess();
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
  await registry.proc.stop();
});

const records = (n: number) =>
  Array.from({ length: n }, (_, i) => {
    const e = telemetry(i);
    return { key: e.device_id, ...encodeDeviceEvent(e, "json") };
  });

test("SIGKILL mid-stream and a restart: every raw offset appears in the enriched topic", async () => {
  const t = testTopics();
  const bus = await testBus(t);
  cleanup.push(() => bus.stop());
  const total = 30_000;
  const sent = records(total);
  for (let i = 0; i < total; i += 2000) await bus.publish(t.raw, sent.slice(i, i + 2000));
  const enriched = await collect(bus, t.enriched);
  cleanup.push(enriched.stop);

  const env = enrichmentEnv(t, registry.rpcUrl);
  const entry = join(root, "services/enrichment/src/main.ts");
  const first = spawnService(entry, env);
  await eventually(
    "some enriched output before the kill",
    () => (enriched.records.length > 0 ? true : undefined),
    30_000,
  );
  expect(await first.stop("SIGKILL")).not.toBe(0);
  const beforeRestart = enriched.records.length;

  const second = spawnService(entry, env);
  cleanup.push(() => second.stop());
  const ids = () => new Set(enriched.records.map((r) => r.headers[HEADER.messageId]));
  await eventually(`all ${total} offsets enriched`, () => (ids().size >= total ? true : undefined), 60_000);
  // Distinct ids of this raw topic, as many as it holds: every raw record was enriched.
  expect((await bus.stats([t.raw], [])).topics[0]!.records).toBe(total);
  expect(ids().size).toBe(total);
  console.log(
    `sigkill drill: ${total} raw, ${beforeRestart} enriched before the kill, ${enriched.records.length} enriched records in all (${enriched.records.length - total} duplicates), 0 lost`,
  );
}, 120_000);

test("two replicas in one group share the partitions and together enrich every message", async () => {
  const t = testTopics();
  const bus = await testBus(t);
  cleanup.push(() => bus.stop());
  const replicas = await Promise.all(
    [0, 1].map(async () => {
      const rbus = await testBus(t);
      const metrics = createMetrics();
      const enrichment = await createEnrichment(loadConfig(enrichmentEnv(t, registry.rpcUrl)), {
        bus: rbus,
        log: quietLogger(),
        metrics,
      });
      await enrichment.start();
      cleanup.push(
        () => rbus.stop(),
        () => enrichment.stop(),
      );
      return metrics;
    }),
  );
  const total = 6_000;
  await bus.publish(t.raw, records(total));
  const enriched = await collect(bus, t.enriched);
  cleanup.push(enriched.stop);
  await eventually(
    `${total} enriched`,
    () => (new Set(enriched.records.map((r) => r.headers[HEADER.messageId])).size >= total ? true : undefined),
    60_000,
  );
  const consumed = await Promise.all(
    replicas.map(async (m) => parseMetrics(await m.render()).get("enrichment_consumed_total") ?? 0),
  );
  console.log(`replicas drill: ${total} raw, consumed per replica ${consumed.join(" + ")}`);
  expect(consumed.every((n) => n > 0)).toBe(true);
  expect(consumed[0]! + consumed[1]!).toBeGreaterThanOrEqual(total);
}, 120_000);
