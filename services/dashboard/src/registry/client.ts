/**
 * The App Registry's REST API as the dashboard uses it, with the dashboard's own credentials.
 * Expected refusals (validation, duplicate name, not found) are outcomes to show in a form;
 * anything else (unreachable, timed out, credentials refused, a 5xx) is a RegistryError.
 */
import type { ApplicationJson } from "@iot/app-registry";

/** An application as the registry's REST API answers it: the registry's own type. */
export type RegistryApplication = ApplicationJson;

export interface RegistryDeviceType {
  id: string;
  name: string;
  description?: string;
}

/**
 * What the dashboard's form sends, in the registry's field names; on update a field left out keeps
 * its value. Platform and status are what the user picked: the registry validates them.
 */
export type ApplicationInput = Pick<RegistryApplication, "name" | "version" | "developer" | "contact_email" | "description" | "category" | "devicetypes"> & {
  platform: string | null;
  /** Absent keeps it (update) or means none (register). */
  webhook_url?: string | null;
  /** Absent keeps it (update); empty: every event type. */
  webhook_event_types?: RegistryApplication["webhook_event_types"];
  status?: string;
};

export type Outcome<T> = { ok: true; value: T } | { ok: false; status: number; error: string; details: Record<string, string[]> };

export class RegistryError extends Error {
  override name = "RegistryError";
  constructor(
    readonly kind: "unreachable" | "refused" | "failed",
    message: string,
  ) {
    super(message);
  }
}

export interface RegistryClient {
  deviceTypes(): Promise<RegistryDeviceType[]>;
  /** Every registration, whatever its status, fetched page by page. */
  listApplications(): Promise<RegistryApplication[]>;
  getApplication(id: string): Promise<RegistryApplication | undefined>;
  register(input: ApplicationInput): Promise<Outcome<{ application: RegistryApplication; apiKey: string; webhookSecret?: string }>>;
  update(id: string, input: ApplicationInput): Promise<Outcome<RegistryApplication>>;
  remove(id: string): Promise<Outcome<null>>;
  regenerateKey(id: string): Promise<Outcome<string>>;
}

const PAGE = 1000;
const MAX_PAGES = 20;
/** The registry's answers to expected refusals; every other non-2xx is an error. */
const REFUSALS = new Set([400, 404, 409, 413, 415]);

export function createRegistryClient(opts: { url: string; token: string | undefined; timeoutMs: number }): RegistryClient {
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (opts.token && method !== "GET") headers.authorization = `Bearer ${opts.token}`;
    let res: Response;
    try {
      res = await fetch(`${opts.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(opts.timeoutMs) });
    } catch (e) {
      throw new RegistryError("unreachable", `App Registry at ${opts.url} did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const error = typeof json.error === "string" ? json.error : res.statusText;
    if (res.status === 401 || res.status === 403) throw new RegistryError("refused", `App Registry refused the dashboard's credentials (${res.status}): ${error}`);
    if (!res.ok && !REFUSALS.has(res.status)) throw new RegistryError("failed", `App Registry answered ${res.status}: ${error}`);
    return { status: res.status, json };
  }

  const outcome = async <T>(method: string, path: string, body: unknown, value: (json: Record<string, unknown>) => T): Promise<Outcome<T>> => {
    const { status, json } = await call(method, path, body);
    if (status < 300) return { ok: true, value: value(json) };
    const details = (typeof json.details === "object" && json.details !== null ? json.details : {}) as Record<string, string[]>;
    const error = typeof json.error === "string" ? json.error : `refused (${status})`;
    // A duplicate name is a problem with the name field, shown next to it.
    return { ok: false, status, error, details: json.code === "DUPLICATE_NAME" ? { ...details, name: [error] } : details };
  };
  const app = (json: Record<string, unknown>) => json.application as RegistryApplication;
  const path = (id: string) => `/api/applications/${encodeURIComponent(id)}`;

  return {
    async deviceTypes() {
      const { json } = await call("GET", "/api/device-types");
      return Array.isArray(json.device_types) ? (json.device_types as RegistryDeviceType[]) : [];
    },
    async listApplications() {
      const all: RegistryApplication[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const { json } = await call("GET", `/api/applications?limit=${PAGE}&offset=${page * PAGE}`);
        const apps = Array.isArray(json.applications) ? (json.applications as RegistryApplication[]) : [];
        all.push(...apps);
        if (apps.length < PAGE || all.length >= Number(json.total)) break;
      }
      return all;
    },
    async getApplication(id) {
      const { status, json } = await call("GET", path(id));
      return status === 200 ? app(json) : undefined;
    },
    register: (input) =>
      outcome("POST", "/api/applications", input, (json) => {
        // The key is kept apart from the application so only the one-time notice ever sees it.
        const { api_key, webhook_secret, ...application } = json.application as RegistryApplication & { api_key?: unknown; webhook_secret?: unknown };
        return { application, apiKey: String(api_key ?? ""), ...(typeof webhook_secret === "string" ? { webhookSecret: webhook_secret } : {}) };
      }),
    update: (id, input) => outcome("PUT", path(id), input, app),
    remove: (id) => outcome("DELETE", path(id), undefined, () => null),
    regenerateKey: (id) => outcome("POST", `${path(id)}/regenerate-key`, undefined, (json) => String(json.new_api_key ?? "")),
  };
}
