/**
 * The App Registry's REST API as the dashboard uses it, with the dashboard's own credentials.
 * Expected refusals (validation, duplicate name, not found) are outcomes to show in a form;
 * anything else (unreachable, timed out, credentials refused, a 5xx) is a RegistryError.
 */
import type { ApplicationJson } from "@iot/app-registry/contract";

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
export type ApplicationInput = Pick<
  RegistryApplication,
  "name" | "version" | "developer" | "description" | "category" | "devicetypes"
> & {
  /** Always sent; the registry shows it back only to admins (the dashboard's token). */
  contact_email: string;
  platform: string | null;
  /** Absent keeps it (update) or means none (register). */
  webhook_url?: string | null;
  /** Absent keeps it (update); empty: every event type. */
  webhook_event_types?: RegistryApplication["webhook_event_types"];
  status?: string;
};

export type Outcome<T> =
  | { ok: true; value: T }
  | { ok: false; status: number; error: string; details: Record<string, string[]> };

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
  register(
    input: ApplicationInput,
  ): Promise<Outcome<{ application: RegistryApplication; apiKey: string; webhookSecret?: string }>>;
  update(id: string, input: ApplicationInput): Promise<Outcome<RegistryApplication>>;
  remove(id: string): Promise<Outcome<null>>;
  regenerateKey(id: string): Promise<Outcome<string>>;
}

const PAGE = 1000;
const MAX_PAGES = 20;
/** The registry's answers to expected refusals; every other non-2xx is an error. */
const REFUSALS = new Set([400, 404, 409, 413, 415]);

/** A registration as the registry answered it, checked enough that rendering it cannot fail. */
function asApplication(v: unknown): RegistryApplication {
  const a = v as Partial<RegistryApplication> | null;
  if (
    typeof a !== "object" ||
    a === null ||
    typeof a.id !== "string" ||
    typeof a.name !== "string" ||
    !Array.isArray(a.devicetypes)
  )
    throw new RegistryError("failed", "App Registry answered with something that is not an application");
  if (
    (a.webhook_url != null && typeof a.webhook_url !== "string") ||
    (a.webhook_event_types != null && !Array.isArray(a.webhook_event_types))
  )
    throw new RegistryError("failed", "App Registry answered with something that is not an application");
  return a as RegistryApplication;
}

export interface RegistryHttpOptions {
  url: string;
  token: string | undefined;
  timeoutMs: number;
}

/** A duplicate is a problem with one field, shown next to it. */
const DUPLICATE_FIELD: Record<string, string> = { DUPLICATE_NAME: "name", DUPLICATE_DEVICE: "device_id" };

/**
 * Calls to the registry's REST API with the dashboard's credentials (applications and devices
 * alike). A body is sent as JSON, or as is with `contentType` (CSV imports).
 */
export function registryHttp(opts: RegistryHttpOptions) {
  /** `admin`: send the token on a read too (writes always send it). */
  async function call(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    admin = method !== "GET",
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const headers: Record<string, string> = { accept: "application/json" };
    // Every write declares its type, body or not: the registry refuses writes a browser could send cross-origin.
    if (method !== "GET") headers["content-type"] = contentType ?? "application/json";
    if (opts.token && admin) headers.authorization = `Bearer ${opts.token}`;
    const payload = body === undefined ? undefined : contentType ? String(body) : JSON.stringify(body);
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${opts.url}${path}`, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(opts.timeoutMs),
      });
      text = await res.text();
    } catch (e) {
      throw new RegistryError(
        "unreachable",
        `App Registry at ${opts.url} did not answer: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const json = parseObject(text);
    const error = typeof json?.error === "string" ? json.error : res.statusText;
    if (res.status === 401 || res.status === 403)
      throw new RegistryError("refused", `App Registry refused the dashboard's credentials (${res.status}): ${error}`);
    if (!res.ok && !REFUSALS.has(res.status))
      throw new RegistryError("failed", `App Registry answered ${res.status}: ${error}`);
    if (json === undefined) {
      // A refusal without a JSON body is still a refusal; a success without one is a registry (or proxy) gone wrong.
      if (!res.ok) return { status: res.status, json: {} };
      throw new RegistryError(
        "failed",
        `App Registry answered ${res.status} with ${text.trim() === "" ? "an empty body" : "a body that is not JSON"}`,
      );
    }
    return { status: res.status, json };
  }

  const outcome = async <T>(
    method: string,
    path: string,
    body: unknown,
    value: (json: Record<string, unknown>) => T,
    contentType?: string,
  ): Promise<Outcome<T>> => {
    const { status, json } = await call(method, path, body, contentType);
    if (status < 300) return { ok: true, value: value(json) };
    const details = (typeof json.details === "object" && json.details !== null ? json.details : {}) as Record<
      string,
      string[]
    >;
    const error = typeof json.error === "string" ? json.error : `refused (${status})`;
    const field = typeof json.code === "string" ? DUPLICATE_FIELD[json.code] : undefined;
    return { ok: false, status, error, details: field ? { ...details, [field]: [error] } : details };
  };
  return { call, outcome };
}

export function createRegistryClient(opts: RegistryHttpOptions): RegistryClient {
  const { call, outcome } = registryHttp(opts);
  const app = (json: Record<string, unknown>) => asApplication(json.application);
  const path = (id: string) => `/api/applications/${encodeURIComponent(id)}`;
  const key = (v: unknown) => {
    if (typeof v !== "string" || v === "")
      throw new RegistryError("failed", "App Registry answered without the new api key");
    return v;
  };

  return {
    async deviceTypes() {
      const { json } = await call("GET", "/api/device-types");
      return Array.isArray(json.device_types)
        ? (json.device_types as RegistryDeviceType[]).filter(
            (t) => typeof t?.id === "string" && typeof t.name === "string",
          )
        : [];
    },
    async listApplications() {
      const all: RegistryApplication[] = [];
      for (let page = 0; page < MAX_PAGES; page++) {
        const { json } = await call("GET", `/api/applications?limit=${PAGE}&offset=${page * PAGE}`);
        const apps = Array.isArray(json.applications) ? json.applications.map(asApplication) : [];
        all.push(...apps);
        if (apps.length < PAGE || all.length >= Number(json.total)) break;
      }
      return all;
    },
    async getApplication(id) {
      // For the edit form, which shows the contact e-mail: the registry shows it to admins only.
      const { status, json } = await call("GET", path(id), undefined, undefined, true);
      return status === 200 ? app(json) : undefined;
    },
    register: (input) =>
      outcome("POST", "/api/applications", input, (json) => {
        // The key is kept apart from the application so only the one-time notice ever sees it.
        const { api_key, webhook_secret, ...application } = asApplication(json.application) as RegistryApplication & {
          api_key?: unknown;
          webhook_secret?: unknown;
        };
        return {
          application,
          apiKey: key(api_key),
          ...(typeof webhook_secret === "string" ? { webhookSecret: webhook_secret } : {}),
        };
      }),
    update: (id, input) => outcome("PUT", path(id), input, app),
    remove: (id) => outcome("DELETE", path(id), undefined, () => null),
    regenerateKey: (id) => outcome("POST", `${path(id)}/regenerate-key`, undefined, (json) => key(json.new_api_key)),
  };
}

/** The body as a JSON object, or undefined when it is empty, not JSON, or not an object. */
function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
