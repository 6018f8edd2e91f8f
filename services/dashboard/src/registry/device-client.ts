/**
 * The registry's device API as the dashboard uses it: list, provision, enable/disable, new token,
 * delete, CSV import. Tokens come back only from the calls that issue them, kept apart from the
 * device so only the one-time notice ever sees them.
 */
import type { DeviceJson } from "@iot/app-registry/contract";
import { type Outcome, registryHttp, type RegistryHttpOptions } from "./client";

export type RegistryDevice = DeviceJson;

export interface DeviceFilter {
  type?: string;
  status?: string;
  search?: string;
}

export interface NewDeviceInput {
  device_id: string;
  device_type: string;
  name: string;
  labels: Record<string, string>;
}

export interface ImportSummary {
  created: number;
  unchanged: number;
  error: number;
  errors: { device_id: string; error: string }[];
  /** Of the devices created by this import, shown once. */
  tokens: { device_id: string; token: string }[];
}

export interface DeviceClient {
  list(filter: DeviceFilter, limit: number): Promise<{ devices: RegistryDevice[]; total: number }>;
  get(id: string): Promise<RegistryDevice | undefined>;
  create(input: NewDeviceInput): Promise<Outcome<{ device: RegistryDevice; token: string }>>;
  setStatus(id: string, status: "enabled" | "disabled"): Promise<Outcome<RegistryDevice>>;
  regenerateToken(id: string): Promise<Outcome<string>>;
  remove(id: string): Promise<Outcome<null>>;
  importCsv(csv: string): Promise<Outcome<ImportSummary>>;
}

export function createDeviceClient(opts: RegistryHttpOptions): DeviceClient {
  const { call, outcome } = registryHttp(opts);
  const path = (id: string) => `/api/devices/${encodeURIComponent(id)}`;
  const device = (json: Record<string, unknown>) => json.device as RegistryDevice;
  return {
    async list(filter, limit) {
      const query = new URLSearchParams({ limit: String(limit) });
      if (filter.type) query.set("device_type", filter.type);
      if (filter.status) query.set("status", filter.status);
      if (filter.search) query.set("search", filter.search);
      const { status, json } = await call("GET", `/api/devices?${query}`);
      if (status !== 200) return { devices: [], total: 0 };
      return { devices: (json.devices as RegistryDevice[]) ?? [], total: Number(json.total ?? 0) };
    },
    async get(id) {
      const { status, json } = await call("GET", path(id));
      return status === 200 ? device(json) : undefined;
    },
    create: (input) =>
      outcome("POST", "/api/devices", input, (json) => ({ device: device(json), token: String(json.token ?? "") })),
    setStatus: (id, status) => outcome("PATCH", path(id), { status }, device),
    regenerateToken: (id) =>
      outcome("POST", `${path(id)}/regenerate-token`, undefined, (json) => String(json.token ?? "")),
    remove: (id) => outcome("DELETE", path(id), undefined, () => null),
    importCsv: (csv) =>
      outcome(
        "POST",
        "/api/devices/bulk",
        csv,
        (json) => {
          const results = (json.results ?? []) as {
            device_id: string;
            outcome: string;
            error?: string;
            token?: string;
          }[];
          return {
            created: Number(json.created ?? 0),
            unchanged: Number(json.unchanged ?? 0),
            error: Number(json.error ?? 0),
            errors: results.flatMap((r) =>
              r.outcome === "error" ? [{ device_id: r.device_id, error: r.error ?? "" }] : [],
            ),
            tokens: results.flatMap((r) =>
              r.outcome === "created" && r.token ? [{ device_id: r.device_id, token: r.token }] : [],
            ),
          };
        },
        "text/csv",
      ),
  };
}
