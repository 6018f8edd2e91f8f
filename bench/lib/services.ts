/**
 * The project's services as child processes for the bench (the way users run them), on fresh
 * ports, logging at warn so logging is not part of what is measured.
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { freePort, spawnService, type ServiceProcess } from "@iot/common/testing-process";

export const ENTRIES = {
  registry: "services/app-registry/src/main.ts",
  enrichment: "services/enrichment/src/main.ts",
  passthrough: "bench/passthrough.ts",
} as const;

/** The PostgreSQL server the bench creates its own database on (trust auth on these machines). */
const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export const runId = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

export async function waitReady(url: string, timeoutMs = 60_000, proc?: ServiceProcess) {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await Bun.sleep(200)) {
    if (proc && proc.proc.exitCode !== null)
      throw new Error(`${url}: the process exited with ${proc.proc.exitCode}:\n${proc.lines.slice(-20).join("\n")}`);
    if ((await fetch(url).catch(() => undefined))?.ok) return;
  }
  throw new Error(`${url} not ready after ${timeoutMs / 1000} s`);
}

/** Resolves once a child process prints `expected` as a line of its own; fails if its output ends first. */
export async function firstLine(stream: ReadableStream<Uint8Array>, expected: string, name: string) {
  let text = "";
  for await (const chunk of stream) {
    text += new TextDecoder().decode(chunk);
    if (text.split("\n").includes(expected)) return;
  }
  throw new Error(`${name} exited before saying "${expected}": ${text}`);
}

export interface RegistryProcess {
  httpUrl: string;
  rpcUrl: string;
  pid: number;
  database: "sqlite" | "postgres";
  stop(): Promise<void>;
}

/** The App Registry on a fresh database (a temp SQLite file or a new PostgreSQL database), seeded with the example applications. */
export async function startRegistry(database: "sqlite" | "postgres"): Promise<RegistryProcess> {
  const [httpPort, rpcPort] = [await freePort(), await freePort()];
  const id = runId();
  const env: Record<string, string> = {
    REGISTRY_HTTP_PORT: String(httpPort),
    REGISTRY_RPC_PORT: String(rpcPort),
    LOG_LEVEL: "warn",
  };
  let cleanup: () => Promise<void>;
  if (database === "postgres") {
    const name = `bench_registry_${id}`;
    const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    cleanup = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  } else {
    const path = join(tmpdir(), `bench-registry-${id}.db`);
    env.REGISTRY_DB_PATH = path;
    cleanup = async () => ["", "-wal", "-shm"].forEach((s) => rmSync(path + s, { force: true }));
  }
  const proc = spawnService(ENTRIES.registry, env);
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  try {
    await waitReady(`${httpUrl}/readyz`, 60_000, proc);
    // The project's own seed, through the running registry's REST API (so Watch streams see it).
    const seed = Bun.spawn(["bun", "services/app-registry/src/seed.ts"], {
      env: { ...process.env, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    if ((await seed.exited) !== 0)
      throw new Error(
        `registry seed failed: ${await new Response(seed.stdout).text()}${await new Response(seed.stderr).text()}`,
      );
  } catch (e) {
    await proc.stop();
    await cleanup();
    throw e;
  }
  return {
    httpUrl,
    rpcUrl: `http://127.0.0.1:${rpcPort}`,
    pid: proc.proc.pid,
    database,
    async stop() {
      await proc.stop();
      await cleanup();
    },
  };
}

/** The bench runs each Kafka client the services can select (KAFKA_CLIENT), side by side. */
export const KAFKA_CLIENTS = ["kafkajs", "platformatic"] as const;
export type KafkaClient = (typeof KAFKA_CLIENTS)[number];

export function clientsFlag(text: string): KafkaClient[] {
  const clients = text.split(",") as KafkaClient[];
  const bad = clients.filter((c) => !KAFKA_CLIENTS.includes(c));
  if (bad.length > 0)
    throw new Error(`--clients: unknown ${bad.join(", ")}; one or more of ${KAFKA_CLIENTS.join(", ")}`);
  return clients;
}

export interface PipelineTopics {
  raw: string;
  enriched: string;
  dlq: string;
  group: string;
}

/** Enrichment (or the passthrough, which reads the same variables) as `replicas` processes in one group. */
export async function startConsumers(
  kind: "enrichment" | "passthrough",
  replicas: number,
  o: {
    brokers: string;
    client: KafkaClient;
    topics: PipelineTopics;
    format: string;
    registryRpcUrl: string;
    cpuProfile?: { dir: string; name: string };
  },
) {
  const procs: ServiceProcess[] = [];
  const ports: number[] = [];
  for (let i = 0; i < replicas; i++) {
    ports.push(await freePort());
    procs.push(
      spawnService(ENTRIES[kind], {
        KAFKA_BROKERS: o.brokers,
        KAFKA_CLIENT: o.client,
        KAFKA_PARTITIONS: "6",
        TOPIC_RAW: o.topics.raw,
        TOPIC_ENRICHED: o.topics.enriched,
        TOPIC_DLQ: o.topics.dlq,
        ENRICHMENT_GROUP: o.topics.group,
        ENRICHMENT_START_FROM: "earliest",
        ENRICHMENT_PORT: String(ports[i]),
        PAYLOAD_FORMAT: o.format,
        REGISTRY_RPC_URL: o.registryRpcUrl,
        LOG_LEVEL: "warn",
        // bun --cpu-prof: the profile (.cpuprofile + a Markdown summary) is written when the process exits.
        ...(o.cpuProfile && {
          BUN_OPTIONS: `${process.env.BUN_OPTIONS ?? ""} --cpu-prof --cpu-prof-md --cpu-prof-dir=${o.cpuProfile.dir} --cpu-prof-name=${o.cpuProfile.name}-${i + 1}`,
        }),
      }),
    );
  }
  return {
    pids: procs.map((p) => p.proc.pid),
    /** Enrichment only (the passthrough serves no /readyz): every replica has its registrations and the broker. */
    ready: () => Promise.all(procs.map((p, i) => waitReady(`http://127.0.0.1:${ports[i]}/readyz`, 60_000, p))),
    /** Fails if a replica already exited (it would otherwise show as a slow run). */
    check() {
      const dead = procs.find((p) => p.proc.exitCode !== null);
      if (dead) throw new Error(`${kind} exited with ${dead.proc.exitCode}:\n${dead.lines.slice(-20).join("\n")}`);
    },
    /** The replicas' last log lines (warnings and errors: they run at LOG_LEVEL=warn). */
    lastLines: (n = 5) => procs.flatMap((p) => p.lines.slice(-n)).join("\n"),
    async stop() {
      const codes = await Promise.all(procs.map((p) => p.stop()));
      if (codes.some((c) => c !== 0)) console.error(`${kind}: exit codes ${codes.join(", ")}`);
    },
  };
}

/** Every topic the platform's services use, named for one bench run: `bench.<prefix>.<run>.raw` and so on. */
export const platformTopics = (prefix: string, run: string) => ({
  TOPIC_RAW: `bench.${prefix}.${run}.raw`,
  TOPIC_ENRICHED: `bench.${prefix}.${run}.enriched`,
  TOPIC_DLQ: `bench.${prefix}.${run}.dlq`,
  TOPIC_ALARMS: `bench.${prefix}.${run}.alarms`,
  TOPIC_DELIVERY_DLQ: `bench.${prefix}.${run}.delivery-dlq`,
});

/** One application for every device type with its webhook at `webhookUrl`: delivery makes one delivery a record. */
export async function registerWebhookForEveryType(registryUrl: string, name: string, webhookUrl: string) {
  const res = await fetch(`${registryUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      name,
      developer: "bench",
      version: "1",
      contact_email: "b@example.com",
      devicetypes: ["smart_breaker", "smart_meter", "environmental_sensor"],
      webhook_url: webhookUrl,
    }),
  });
  if (!res.ok) throw new Error(`registering the webhook application: ${res.status} ${await res.text()}`);
}
