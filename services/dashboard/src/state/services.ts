/** What each service said when last probed: its /readyz verdict and checks, and its /metrics. */

export type ServiceState = "ready" | "not_ready" | "unreachable";

export interface ServiceStatus {
  name: string;
  url: string;
  state: ServiceState;
  /** The dependencies /readyz listed, when it answered with them. */
  checks?: Record<string, boolean>;
  /** Parsed /metrics (`name{labels}` → value), when it answered. */
  metrics?: Map<string, number>;
  /** Epoch ms of the probe. */
  at: number;
  error?: string;
}

export interface ServiceStore {
  set(status: ServiceStatus): void;
  get(name: string): ServiceStatus | undefined;
}

export function createServiceStore(): ServiceStore {
  const statuses = new Map<string, ServiceStatus>();
  return { set: (s) => void statuses.set(s.name, s), get: (name) => statuses.get(name) };
}

/** A metric summed over its labels; undefined when the service does not report it. */
export function metricTotal(metrics: Map<string, number> | undefined, name: string): number | undefined {
  let total: number | undefined;
  for (const [key, v] of metrics ?? []) if (key === name || key.startsWith(`${name}{`)) total = (total ?? 0) + v;
  return total;
}
