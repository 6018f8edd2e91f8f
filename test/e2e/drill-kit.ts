/**
 * The platform as users run it, for the end-to-end drills: a broker of its own (so it can be
 * restarted), each service its own process, and the check every drill ends with: every raw
 * offset is in the enriched topic or the dead-letter topic.
 */
import type { EventBus } from "@iot/common/bus";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { eventually, quietLogger, uniqueName } from "@iot/common/testing";
import { freePort, spawnService, type ServiceProcess } from "@iot/common/testing-process";
import { HEADER } from "@iot/common/wire";
import { existsSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const root = new URL("../../", import.meta.url).pathname;
const KAFKA_VERSION = process.env.KAFKA_VERSION ?? "3.9.2";

/** A broker in its own KAFKA_HOME on free ports, reusing the test run's downloaded jars. */
export async function drillBroker() {
  const home = join(root, ".kafka", "drills");
  mkdirSync(home, { recursive: true });
  const libs = join(root, ".kafka", `libs-${KAFKA_VERSION}`);
  if (existsSync(join(libs, ".fetched")) && !existsSync(join(home, `libs-${KAFKA_VERSION}`)))
    symlinkSync(libs, join(home, `libs-${KAFKA_VERSION}`));
  const [port, controller] = [await freePort(), await freePort()];
  const env = {
    ...process.env,
    KAFKA_HOME: home,
    KAFKA_PORT: String(port),
    KAFKA_CONTROLLER_PORT: String(controller),
    KAFKA_VERSION,
  };
  const run = async (cmd: string) => {
    const p = Bun.spawn(["bash", join(root, "scripts/kafka.sh"), cmd], { env, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = [await new Response(p.stdout).text(), await new Response(p.stderr).text(), await p.exited];
    if (code !== 0) throw new Error(`kafka.sh ${cmd} failed (${code}): ${out}${err}`);
    return out.trim();
  };
  await run("stop"); // one a crashed earlier run may have left behind
  const started = await run("start");
  return { brokers: `127.0.0.1:${port}`, started, restart: () => run("restart"), stop: () => run("stop") };
}

export interface Platform {
  topics: { raw: string; enriched: string; dlq: string };
  env: Record<string, string>;
  ports: {
    registryHttp: number;
    registryRpc: number;
    enrichment: number;
    enrichmentB: number;
    simulator: number;
    dashboard: number;
  };
  dbPath: string;
}

export async function platformEnv(brokers: string): Promise<Platform> {
  const id = uniqueName("e2e");
  const topics = { raw: `${id}.raw`, enriched: `${id}.enriched`, dlq: `${id}.dlq` };
  const ports = {
    registryHttp: await freePort(),
    registryRpc: await freePort(),
    enrichment: await freePort(),
    enrichmentB: await freePort(),
    simulator: await freePort(),
    dashboard: await freePort(),
  };
  const env = {
    KAFKA_BROKERS: brokers,
    KAFKA_PARTITIONS: "3",
    TOPIC_RAW: topics.raw,
    TOPIC_ENRICHED: topics.enriched,
    TOPIC_DLQ: topics.dlq,
    ENRICHMENT_GROUP: `${id}-enrichment`,
    DASHBOARD_GROUP: `${id}-dashboard`,
    DEVICE_REGISTRY_PATH: join(root, "config/device-registry.json"),
    REGISTRY_RPC_URL: `http://127.0.0.1:${ports.registryRpc}`,
    REGISTRY_URL: `http://127.0.0.1:${ports.registryHttp}`,
    SIMULATOR_URL: `http://127.0.0.1:${ports.simulator}`,
    ENRICHMENT_URL: `http://127.0.0.1:${ports.enrichment}`,
    LOG_LEVEL: "info",
  };
  return { topics, env, ports, dbPath: join(mkdtempSync(join(tmpdir(), "e2e-registry-")), "registry.db") };
}

const entry = (service: string) => join(root, `services/${service}/src/main.ts`);

export async function startRegistry(p: Platform): Promise<ServiceProcess> {
  const proc = spawnService(entry("app-registry"), {
    ...p.env,
    REGISTRY_HTTP_PORT: String(p.ports.registryHttp),
    REGISTRY_RPC_PORT: String(p.ports.registryRpc),
    REGISTRY_DB_PATH: p.dbPath,
  });
  await proc.waitForLog(/app registry started/);
  return proc;
}

export async function startEnrichment(p: Platform, port = p.ports.enrichment): Promise<ServiceProcess> {
  const proc = spawnService(entry("enrichment"), { ...p.env, ENRICHMENT_PORT: String(port) });
  await proc.waitForLog(/enrichment ready/);
  return proc;
}

export async function startSimulator(p: Platform, ratePerSecond: number): Promise<ServiceProcess> {
  const proc = spawnService(entry("simulator"), {
    ...p.env,
    SIMULATOR_PORT: String(p.ports.simulator),
    SIM_DEVICES: "smart_breaker=40,smart_meter=5,environmental_sensor=5",
    SIM_RATE: String(ratePerSecond),
    SIM_SEED: "e2e",
  });
  await proc.waitForLog(/simulator ready/);
  return proc;
}

export async function startDashboard(p: Platform): Promise<ServiceProcess> {
  const proc = spawnService(entry("dashboard"), { ...p.env, DASHBOARD_PORT: String(p.ports.dashboard) });
  await proc.waitForLog(/dashboard listening/);
  return proc;
}

/** One Prometheus sample from a service's /metrics (sum over label sets), undefined if unreachable. */
export async function metric(port: number, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const values = text
      .split("\n")
      .filter((l) => l.startsWith(name + " ") || l.startsWith(name + "{"))
      .map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
    return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Watches the enriched and dead-letter topics and answers the drills' question: is every raw
 * record (every partition's offsets below its high-water mark now) accounted for?
 */
export async function createLedger(brokers: string, p: Platform) {
  const bus: EventBus = createKafkaBus({ brokers: [brokers], clientId: "e2e-ledger", topics: [], log: quietLogger() });
  await bus.start();
  const covered = new Map<number, Set<number>>();
  const counts = { enriched: 0, dead: 0, duplicates: 0 };
  const mark = (partition: number, offset: number) => {
    let s = covered.get(partition);
    if (!s) covered.set(partition, (s = new Set()));
    if (s.has(offset)) counts.duplicates++;
    s.add(offset);
  };
  const group = uniqueName("e2e-ledger");
  const subs = [
    await bus.subscribe({
      groupId: `${group}-e`,
      topics: [p.topics.enriched],
      fromBeginning: true,
      handler: async (b) => {
        for (const r of b.records) {
          const [, partition, offset] = (r.headers[HEADER.messageId] ?? "").split("/").slice(-3);
          mark(Number(partition), Number(offset));
          counts.enriched++;
        }
      },
    }),
    await bus.subscribe({
      groupId: `${group}-d`,
      topics: [p.topics.dlq],
      fromBeginning: true,
      handler: async (b) => {
        for (const r of b.records) {
          mark(Number(r.headers["dlq-source-partition"]), Number(r.headers["dlq-source-offset"]));
          counts.dead++;
        }
      },
    }),
  ];
  return {
    bus,
    counts,
    /** Waits until every raw offset written so far is enriched or dead-lettered; prints the counts. */
    async verify(drill: string, timeoutMs = 90_000) {
      const { ends } = (await bus.stats([p.topics.raw], [])).topics[0]!;
      const missing = () =>
        ends.reduce((n, end, partition) => {
          const s = covered.get(partition) ?? new Set<number>();
          let have = 0;
          for (const o of s) if (o < end) have++;
          return n + end - have;
        }, 0);
      await eventually(
        `${drill}: every raw record enriched or dead-lettered`,
        () => (missing() === 0 ? true : undefined),
        timeoutMs,
      );
      const raw = ends.reduce((a, b) => a + b, 0);
      console.log(
        `drill ${drill}: raw ${raw}, enriched ${counts.enriched}, dead-lettered ${counts.dead}, duplicates ${counts.duplicates}, missing ${missing()}`,
      );
      return { raw, missing: missing() };
    },
    async stop() {
      for (const s of subs) await s.stop();
      await bus.stop();
    },
  };
}
