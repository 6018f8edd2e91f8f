/** Shared set-up for enrichment's integration tests: topics, a registry process, collectors. */
import type { EventBus, IncomingRecord, Subscription } from "@iot/common/bus";
import { createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import type { DeviceEvent } from "@iot/common/telemetry";
import { kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";
import { freePort, spawnService, type ServiceProcess } from "@iot/common/testing-process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = new URL("../../../", import.meta.url).pathname;

export function testTopics() {
  const id = uniqueName("enr");
  return { raw: `${id}.raw`, enriched: `${id}.enriched`, dlq: `${id}.dlq`, group: `${id}-group` };
}

export function enrichmentEnv(
  t: ReturnType<typeof testTopics>,
  registryRpcUrl: string,
  extra: Record<string, string> = {},
) {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(","),
    KAFKA_PARTITIONS: "3",
    TOPIC_RAW: t.raw,
    TOPIC_ENRICHED: t.enriched,
    TOPIC_DLQ: t.dlq,
    ENRICHMENT_GROUP: t.group,
    REGISTRY_RPC_URL: registryRpcUrl,
    ENRICHMENT_PORT: "0",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

/** The bus on the client the run selects (KAFKA_CLIENT), as the enrichment process under test does. */
export async function testBus(t: ReturnType<typeof testTopics>): Promise<EventBus> {
  const config = loadBusConfig({
    ...process.env,
    KAFKA_BROKERS: kafkaBrokers().join(","),
    KAFKA_PARTITIONS: "3",
    TOPIC_RAW: t.raw,
    TOPIC_ENRICHED: t.enriched,
    TOPIC_DLQ: t.dlq,
  });
  const bus = createKafkaBusFromConfig(config, "enrichment-test", quietLogger());
  await bus.start();
  return bus;
}

/** A real registry process (SQLite in a temp folder) on fixed ports, so it can be restarted. */
export async function registryProcess(ports?: { http: number; rpc: number; db: string }) {
  const p = ports ?? {
    http: await freePort(),
    rpc: await freePort(),
    db: join(mkdtempSync(join(tmpdir(), "registry-")), "registry.db"),
  };
  const proc: ServiceProcess = spawnService(join(root, "services/app-registry/src/main.ts"), {
    REGISTRY_HTTP_PORT: String(p.http),
    REGISTRY_RPC_PORT: String(p.rpc),
    REGISTRY_DB_PATH: p.db,
    DEVICE_REGISTRY_PATH: join(root, "config/device-registry.json"),
    LOG_LEVEL: "info",
  });
  await proc.waitForLog(/app registry started/);
  return { proc, ports: p, httpUrl: `http://127.0.0.1:${p.http}`, rpcUrl: `http://127.0.0.1:${p.rpc}` };
}

export async function registerApp(httpUrl: string, name: string, devicetypes: string[]): Promise<{ id: string }> {
  const res = await fetch(`${httpUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      developer: "Test Co",
      description: "test",
      platform: "web",
      category: "Monitoring",
      devicetypes,
      version: "1.0.0",
      contact_email: "ops@example.com",
    }),
  });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
  return (await res.json()).application;
}

/** Everything a topic receives, from the beginning, in a group of its own. */
export async function collect(bus: EventBus, topic: string) {
  const records: IncomingRecord[] = [];
  const sub: Subscription = await bus.subscribe({
    groupId: uniqueName("collector"),
    topics: [topic],
    fromBeginning: true,
    handler: async (b) => void records.push(...b.records),
  });
  return { records, stop: () => sub.stop() };
}

export function telemetry(i: number, device_type = "smart_breaker"): DeviceEvent {
  return {
    device_id: `breaker-${String(i % 50).padStart(3, "0")}`,
    device_type,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString().replace("Z", "000Z"),
    event_type: "telemetry",
    measurements: {
      voltage: { phase_a: 118 + (i % 7) * 0.1, phase_b: 119.5, phase_c: 120.25, unit: "V" },
      current: { phase_a: 20 + (i % 5), phase_b: 21, phase_c: 19.5, unit: "A" },
      frequency: { value: 60.01, unit: "Hz" },
    },
  };
}
