/** Every service's configuration loader, and which variables a loader reads (for the docs checks). */
import { envReader } from "@iot/common/env";
import { loadConfig as loadRegistryConfig } from "../services/app-registry/src/config";
import { readDashboardConfig } from "../services/dashboard/src/config";
import { loadEnrichmentConfig } from "../services/enrichment/src/config";
import { loadHistoryConfig } from "../services/history/src/config";
import { loadSimulatorConfig } from "../services/simulator/src/config";

export type Env = Record<string, string>;

export const loaders: Record<string, { load: (source: Env) => unknown; port: string }> = {
  "app-registry": { load: (s) => loadRegistryConfig(s), port: "REGISTRY_HTTP_PORT" },
  enrichment: { load: (s) => loadEnrichmentConfig(s), port: "ENRICHMENT_PORT" },
  simulator: { load: (s) => loadSimulatorConfig(s), port: "SIMULATOR_PORT" },
  dashboard: { load: (s) => readDashboardConfig(envReader(s)), port: "DASHBOARD_PORT" },
  history: { load: (s) => loadHistoryConfig(s), port: "HISTORY_PORT" },
};

/** Runs a loader on `env` (which must be valid) and returns the variables it looked at. */
export function variablesRead(load: (source: Env) => unknown, env: Env = {}): Set<string> {
  const read = new Set<string>();
  const source = new Proxy({ ...env }, { get: (t, k: string) => (read.add(k), t[k]) });
  load(source);
  return read;
}
