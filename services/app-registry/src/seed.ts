/**
 * `bun run registry:seed`. Through the REST API when this registry is running (so Watch streams,
 * hence enrichment, see the new registrations at once); straight into the database otherwise.
 */
import { createLogger, errorMessage } from "@iot/common/logger";
import { createChangeFeed } from "./change-feed";
import type { RegistryConfig } from "./config";
import { loadConfig } from "./config";
import { openRepository } from "./db/open";
import type { Outcome } from "./examples";
import { seedExamples, seedExamplesInto } from "./examples";
import { restInput } from "./http/rest-input";
import { createRegistry } from "./registry";

const SERVICE = "Application Registry Service";

async function isRunning(api: string): Promise<boolean> {
  try {
    const res = await fetch(`${api}/health`, { signal: AbortSignal.timeout(1_000) });
    return res.ok && ((await res.json()) as { service?: unknown }).service === SERVICE;
  } catch {
    return false; // nothing (or something else) listening: use the database
  }
}

async function viaApi(api: string, token: string | undefined) {
  return seedExamples(async (app): Promise<Outcome> => {
    const res = await fetch(`${api}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(restInput.newApplication.encode(app)),
    });
    if (res.status === 201) return "created";
    if (res.status === 409) return "exists";
    throw new Error(`registering ${app.name}: HTTP ${res.status} ${await res.text()}`);
  });
}

async function viaDatabase(config: RegistryConfig) {
  const repo = await openRepository(config);
  // Nobody subscribes in this process; a listener error cannot happen.
  const registry = createRegistry({ repo, feed: createChangeFeed(() => {}) });
  try {
    return await seedExamplesInto(registry);
  } finally {
    await repo.close();
  }
}

const log = createLogger("app-registry-seed");
try {
  const config = loadConfig();
  const api = `http://127.0.0.1:${config.httpPort}`;
  const running = await isRunning(api);
  const outcomes = running ? await viaApi(api, config.adminToken) : await viaDatabase(config);
  log.info("example applications seeded", {
    via: running ? api : config.databaseUrl ? "postgresql" : config.sqlitePath,
    outcomes,
  });
} catch (e) {
  log.error("seed failed", { error: errorMessage(e) });
  process.exit(1);
}
