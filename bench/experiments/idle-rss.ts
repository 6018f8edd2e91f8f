/**
 * What each service costs before any traffic: every bus-using service started alone (against the
 * broker and an App Registry on SQLite), its RSS once ready and settled, and how much of it is the
 * bun executable's own pages (file-backed, shared by every bun process) against the process's own
 * memory (anonymous: heap, modules, JIT code).
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/idle-rss.ts
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnService } from "@iot/common/testing-process";
import { createAdmin, useBroker } from "../lib/kafka";
import { runId, startRegistry, waitReady } from "../lib/services";
import { printTable } from "../lib/table";

const SETTLE_MS = 5_000;
const run = runId();
const files = ["alarms", "history"].map((s) => join(tmpdir(), `bench-idle-${run}-${s}.db`));
// Fresh topics and groups: a service on the defaults would join the groups of whatever else uses this broker.
const topics = {
  TOPIC_RAW: `bench.idle.${run}.raw`,
  TOPIC_ENRICHED: `bench.idle.${run}.enriched`,
  TOPIC_DLQ: `bench.idle.${run}.dlq`,
  TOPIC_ALARMS: `bench.idle.${run}.alarms`,
  TOPIC_DELIVERY_DLQ: `bench.idle.${run}.delivery-dlq`,
};
const group = (name: string) => `bench-idle-${run}-${name}`;
const SERVICES: Record<string, { entry: string; env: (port: number) => Record<string, string> }> = {
  enrichment: {
    entry: "services/enrichment/src/main.ts",
    env: (p) => ({ ENRICHMENT_PORT: String(p), ENRICHMENT_GROUP: group("enrichment") }),
  },
  delivery: {
    entry: "services/delivery/src/main.ts",
    env: (p) => ({ DELIVERY_PORT: String(p), DELIVERY_GROUP_PREFIX: group("delivery") }),
  },
  alarms: {
    entry: "services/alarms/src/main.ts",
    env: (p) => ({ ALARMS_PORT: String(p), ALARMS_DB_PATH: files[0]!, ALARMS_GROUP: group("alarms") }),
  },
  history: {
    entry: "services/history/src/main.ts",
    env: (p) => ({ HISTORY_PORT: String(p), HISTORY_DB_PATH: files[1]!, HISTORY_GROUP: group("history") }),
  },
  dashboard: {
    entry: "services/dashboard/src/main.ts",
    env: (p) => ({ DASHBOARD_PORT: String(p), DASHBOARD_GROUP: group("dashboard") }),
  },
};

/** RSS split as /proc/<pid>/smaps_rollup reports it, in MB. */
function smaps(pid: number) {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const mb = (field: string) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) / 1024);
  return { rss_mb: mb("Rss"), executable_and_files_mb: mb("Rss") - mb("Anonymous"), own_anonymous_mb: mb("Anonymous") };
}

const broker = await useBroker();
const registry = await startRegistry("sqlite");
const rows: Array<Record<string, string | number>> = [];
try {
  for (const [name, s] of Object.entries(SERVICES)) {
    const port = await freePort();
    const proc = spawnService(s.entry, {
      ...topics,
      KAFKA_BROKERS: broker.brokers,
      REGISTRY_URL: registry.httpUrl,
      REGISTRY_RPC_URL: registry.rpcUrl,
      LOG_LEVEL: "warn",
      ...s.env(port),
    });
    try {
      await waitReady(`http://127.0.0.1:${port}/readyz`, 60_000, proc);
      await Bun.sleep(SETTLE_MS);
      rows.push({ process: name, ...smaps(proc.proc.pid) });
    } finally {
      await proc.stop();
    }
  }
  rows.push({ process: "app-registry", ...smaps(registry.pid) });
  printTable(`Idle RSS after start-up and ${SETTLE_MS / 1000} s (no traffic)`, rows);
} finally {
  await registry.stop();
  const admin = createAdmin(broker.brokers);
  await admin.deleteTopics(Object.values(topics)).catch((e) => console.error(`cleanup: ${e}`));
  await admin.disconnect();
  await broker.stop();
  for (const f of files) for (const s of ["", "-wal", "-shm"]) rmSync(f + s, { force: true });
}
