/** Asks each service for /readyz and /metrics on an interval; what it answered is shown as it is. */
import { errorMessage } from "@iot/common/logger";
import { parseMetrics } from "@iot/common/metrics";
import type { ServiceEndpoint } from "../config";
import type { ServiceStatus, ServiceStore } from "../state/services";
import { every } from "./every";

export interface ProbeOptions {
  services: ServiceEndpoint[];
  store: ServiceStore;
  intervalMs: number;
  timeoutMs: number;
  changed: () => void;
}

export function createServiceProbe(o: ProbeOptions) {
  return every(o.intervalMs, async () => {
    const results = await Promise.all(o.services.map((s) => probe(s, o.timeoutMs)));
    results.forEach((r) => o.store.set(r));
    o.changed();
  });
}

export async function probe(s: ServiceEndpoint, timeoutMs: number): Promise<ServiceStatus> {
  const at = Date.now();
  const get = (path: string) => fetch(`${s.url}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  try {
    const [ready, metrics] = await Promise.all([get("/readyz"), get("/metrics")]);
    const body = (await ready.json().catch(() => undefined)) as { checks?: unknown } | undefined;
    const checks = isChecks(body?.checks) ? body.checks : undefined;
    return {
      name: s.name,
      url: s.url,
      at,
      checks,
      state: ready.status === 200 ? "ready" : "not_ready",
      metrics: metrics.ok ? parseMetrics(await metrics.text()) : undefined,
      error: ready.status === 200 ? undefined : `/readyz answered ${ready.status}`,
    };
  } catch (e) {
    return { name: s.name, url: s.url, at, state: "unreachable", error: errorMessage(e) };
  }
}

const isChecks = (v: unknown): v is Record<string, boolean> =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "boolean");
