/** Every service's configuration loader, and which variables a loader reads (for the docs checks). */
import type { Env as Source } from "@iot/common/env";
import { SERVICES } from "../services/platform/src/platform";

export type Env = Record<string, string>;

/** Each service's variable for its own port (the one compose publishes and probes). */
const PORTS: Record<string, string> = {
  "app-registry": "REGISTRY_HTTP_PORT",
  enrichment: "ENRICHMENT_PORT",
  ingest: "INGEST_HTTP_PORT",
  simulator: "SIMULATOR_PORT",
  dashboard: "DASHBOARD_PORT",
  delivery: "DELIVERY_PORT",
  alarms: "ALARMS_PORT",
  history: "HISTORY_PORT",
};

/** The platform's list of services is the list checked: a service added there is checked here. */
export const loaders: Record<string, { load: (source: Env) => unknown; port: string }> = Object.fromEntries(
  SERVICES.map((s) => {
    const port = PORTS[s.name];
    if (!port) throw new Error(`test/config-loaders.ts: name the port variable of ${s.name}`);
    return [s.name, { load: (source: Source) => s.loadConfig(source), port }];
  }),
);

/** Runs a loader on `env` (which must be valid) and returns the variables it looked at. */
export function variablesRead(load: (source: Env) => unknown, env: Env = {}): Set<string> {
  const read = new Set<string>();
  const source = new Proxy({ ...env }, { get: (t, k: string) => (read.add(k), t[k]) });
  load(source);
  return read;
}
