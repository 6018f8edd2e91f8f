/** Enrichment against the real broker and a real registry process. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { decodeDeviceEvent, decodeEnrichedEvent, encodeDeviceEvent, type PayloadFormat } from "@iot/common/codec";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import type { DeviceEvent } from "@iot/common/telemetry";
import { eventually, quietLogger } from "@iot/common/testing";
import { loadConfig } from "../src/config";
import { createEnrichment } from "../src/enrichment";
import { DLQ_HEADER, HEADER } from "@iot/common/wire";
import { collect, enrichmentEnv, registerApp, registryProcess, root, telemetry, testBus, testTopics } from "./fixtures";

const readme = await Bun.file(`${root}README.md`).text();
const example = (heading: string): DeviceEvent =>
  decodeDeviceEvent(
    new TextEncoder().encode(/```json\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf(`### ${heading}`)))![1]!),
  );

let registry: Awaited<ReturnType<typeof registryProcess>>;
const cleanup: Array<() => Promise<unknown>> = [];
beforeAll(async () => {
  registry = await registryProcess();
  await registerApp(registry.httpUrl, "Smart Breaker Dashboard", ["smart_breaker"]);
});
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
  await registry.proc.stop();
});

async function startEnrichment(extra: Record<string, string> = {}) {
  const t = testTopics();
  const config = loadConfig(enrichmentEnv(t, registry.rpcUrl, extra));
  const bus = await testBus(t);
  const metrics = createMetrics();
  const enrichment = await createEnrichment(config, { bus, log: quietLogger(), metrics });
  await enrichment.start();
  cleanup.push(
    () => bus.stop(),
    () => enrichment.stop(),
  );
  await eventually("registrations synced", () => (enrichment.registrations.current ? true : undefined));
  return { t, bus, enrichment, metrics };
}

const publishEvents = (bus: EventBus, topic: string, events: DeviceEvent[], format: PayloadFormat) =>
  bus.publish(
    topic,
    events.map((e) => ({ key: e.device_id, ...encodeDeviceEvent(e, format) })),
  );

describe("the README's examples, enriched", () => {
  for (const out of ["json", "protobuf"] as const) {
    test(`in JSON and protobuf, out ${out}`, async () => {
      const { t, bus } = await startEnrichment({ PAYLOAD_FORMAT: out });
      const raw = example("Raw message (telemetry)");
      const trends = example("Trends message (5-minute aggregates)");
      await publishEvents(bus, t.raw, [raw, trends], "json");
      await publishEvents(bus, t.raw, [raw, trends], "protobuf");
      const enriched = await collect(bus, t.enriched);
      cleanup.push(enriched.stop);
      await eventually("4 enriched records", () => (enriched.records.length >= 4 ? true : undefined));
      for (const r of enriched.records) {
        expect(r.headers["content-type"]).toBe(out === "json" ? "application/json" : "application/x-protobuf");
        expect(r.headers[HEADER.messageId]).toMatch(new RegExp(`^${t.raw}/\\d+/\\d+$`));
        expect(r.key).toBe("breaker-001");
        const e = decodeEnrichedEvent(r.value, r.headers);
        const { device_metadata, application_registry, enrichment_info, data_quality, ...input } = e;
        expect([raw, trends]).toContainEqual(input as DeviceEvent);
        expect(device_metadata.device_type_name).toBe("Smart Circuit Breaker");
        expect(application_registry.applications.map((a) => a.name)).toEqual(["Smart Breaker Dashboard"]);
        expect(Object.keys(application_registry.applications[0]!).sort()).toEqual([
          "category",
          "developer",
          "id",
          "name",
          "platform",
          "status",
        ]);
        expect(enrichment_info.app_registry_integration).toBe(true);
        expect(data_quality.missing_groups).toEqual([]);
      }
    }, 60_000);
  }
});

test("1,000 poison messages among 10,000 good ones: every good one enriched, every poison one dead-lettered with its reason", async () => {
  const { t, bus, metrics } = await startEnrichment({ MAX_MESSAGE_BYTES: "2048" });
  const enc = new TextEncoder();
  const poison = [
    { value: new Uint8Array([0xde, 0xad, 0xbe, 0xef]), reason: "malformed" },
    { value: enc.encode("[1,2,3]"), reason: "not_an_object" },
    {
      value: enc.encode(JSON.stringify({ device_type: "smart_breaker", measurements: {} })),
      reason: "missing_device_id",
    },
    {
      value: enc.encode(JSON.stringify({ device_id: "x", event_type: "alarm", timestamp: "2026-01-01T00:00:00Z" })),
      reason: "unknown_schema",
    },
    {
      value: enc.encode(JSON.stringify({ device_id: "x", timestamp: "soon", measurements: {} })),
      reason: "invalid_field",
    },
    { value: enc.encode(JSON.stringify({ device_id: "x", pad: "y".repeat(3000) })), reason: "oversize" },
  ];
  const records = Array.from({ length: 11_000 }, (_, i) => {
    if (i % 11 === 5) {
      const p = poison[i % poison.length]!;
      return {
        key: `poison-${i}`,
        value: p.value,
        headers: { "content-type": "application/json", "test-index": String(i) },
      };
    }
    const e = telemetry(i);
    return { key: e.device_id, ...encodeDeviceEvent(e, i % 2 ? "protobuf" : "json") };
  });
  for (let i = 0; i < records.length; i += 1000) await bus.publish(t.raw, records.slice(i, i + 1000));

  const enriched = await collect(bus, t.enriched);
  const dead = await collect(bus, t.dlq);
  cleanup.push(enriched.stop, dead.stop);
  await eventually(
    "10,000 enriched and 1,000 dead letters",
    () => (enriched.records.length >= 10_000 && dead.records.length >= 1_000 ? true : undefined),
    60_000,
  );
  expect(new Set(enriched.records.map((r) => r.headers[HEADER.messageId])).size).toBe(10_000);
  expect(new Set(dead.records.map((r) => r.headers["test-index"])).size).toBe(1_000);
  for (const d of dead.records) {
    const i = Number(d.headers["test-index"]);
    const sent = poison[i % poison.length]!;
    expect(d.headers[DLQ_HEADER.reason]).toBe(sent.reason);
    expect(d.headers[DLQ_HEADER.error]!.length).toBeGreaterThan(0);
    expect(d.headers[DLQ_HEADER.topic]).toBe(t.raw);
    expect(d.value).toEqual(sent.value);
    expect(d.key).toBe(`poison-${i}`);
  }
  const m = parseMetrics(await metrics.render());
  const deadTotal = [...m]
    .filter(([k]) => k.startsWith("enrichment_dead_lettered_total"))
    .reduce((n, [, v]) => n + v, 0);
  const enrichedTotal = [...m]
    .filter(([k]) => k.startsWith("enrichment_enriched_total"))
    .reduce((n, [, v]) => n + v, 0);
  expect(m.get("enrichment_consumed_total")).toBe(11_000);
  expect(enrichedTotal + deadTotal).toBe(11_000);
  expect(deadTotal).toBe(1_000);
}, 120_000);

test("registry outage: messages keep flowing marked not current, then current again; a new registration shows within 1 s", async () => {
  const { t, bus, enrichment } = await startEnrichment();
  const enriched = await collect(bus, t.enriched);
  cleanup.push(enriched.stop);
  const integrationOf = async (n: number, from: number) => {
    await publishEvents(
      bus,
      t.raw,
      Array.from({ length: n }, (_, i) => telemetry(from + i)),
      "json",
    );
    await eventually(`${from + n} enriched`, () => (enriched.records.length >= from + n ? true : undefined));
    return enriched.records.slice(from).map((r) => decodeEnrichedEvent(r.value, r.headers));
  };

  expect((await integrationOf(10, 0)).every((e) => e.enrichment_info.app_registry_integration)).toBe(true);

  await registry.proc.stop("SIGKILL");
  await eventually("the cache to notice the outage", () => (enrichment.registrations.current ? undefined : true));
  const during = await integrationOf(10, 10);
  expect(during.every((e) => !e.enrichment_info.app_registry_integration)).toBe(true);
  expect(
    during.every((e) => e.application_registry.applications.some((a) => a.name === "Smart Breaker Dashboard")),
  ).toBe(true);

  registry = await registryProcess(registry.ports);
  await eventually(
    "the cache to be current again",
    () => (enrichment.registrations.current ? true : undefined),
    20_000,
  );
  expect((await integrationOf(10, 20)).every((e) => e.enrichment_info.app_registry_integration)).toBe(true);

  const added = await registerApp(registry.httpUrl, "Breaker Analytics", ["smart_breaker"]);
  await eventually(
    "the new registration in the cache",
    () =>
      enrichment.registrations.lookup("smart_breaker").applications.some((a) => a.id === added.id) ? true : undefined,
    1_000,
  );
  const after = await integrationOf(5, 30);
  expect(after.every((e) => e.application_registry.applications.some((a) => a.id === added.id))).toBe(true);
}, 120_000);
