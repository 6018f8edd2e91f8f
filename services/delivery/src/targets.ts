/**
 * The applications delivery serves, as the registry says now: WatchApplications (a snapshot, then
 * each change, re-opened with backoff on any error) for who is active and where they want data,
 * plus, per application, its signing secret and api-key hash from the registry's admin-only
 * delivery-credentials read. Secrets stay in this map: never logged, never in a status answer.
 */
import { createClient, type Transport } from "@connectrpc/connect";
import { type Application, ApplicationRegistryService, ChangeType } from "@gen/iot/registry/v1/registry_pb";
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import { PROTO_STATUS } from "@iot/common/wire";

export interface Target {
  id: string;
  name: string;
  active: boolean;
  deviceTypes: ReadonlySet<string>;
  /** Null: no webhook channel. */
  webhookUrl: string | null;
  /** Event types the webhook receives; empty: all. */
  webhookEventTypes: ReadonlySet<string>;
  webhookSecret: string | null;
  /** SHA-256 hex of the api key, as the registry stores it. */
  apiKeyHash: string | null;
}

export interface TargetsOptions {
  transport: Transport;
  registryUrl: string;
  adminToken?: string | undefined;
  log: Logger;
  /** Called after every applied snapshot or change (serially). */
  onChange: () => void | Promise<void>;
  backoff?: { initialMs: number; maxMs: number };
}

export type Targets = ReturnType<typeof createTargets>;

export function createTargets(opts: TargetsOptions) {
  const client = createClient(ApplicationRegistryService, opts.transport);
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 5_000 };
  let targets = new Map<string, Target>();
  let byKeyHash = new Map<string, Target>();
  let current = false;
  let running = false;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let delay = backoff.initialMs;

  const credentials = async (id: string) => {
    const res = await fetch(`${opts.registryUrl}/api/applications/${encodeURIComponent(id)}/delivery-credentials`, {
      headers: opts.adminToken ? { authorization: `Bearer ${opts.adminToken}` } : {},
      signal: AbortSignal.timeout(5_000),
    });
    if (res.status === 404) return undefined; // deleted meanwhile: its change follows
    if (!res.ok) throw new Error(`the registry answered ${res.status} to delivery-credentials`);
    const body = (await res.json()) as { api_key_sha256?: unknown; webhook_secret?: unknown };
    return {
      apiKeyHash: typeof body.api_key_sha256 === "string" ? body.api_key_sha256 : null,
      webhookSecret: typeof body.webhook_secret === "string" ? body.webhook_secret : null,
    };
  };

  const targetOf = async (a: Application): Promise<Target | undefined> => {
    const c = await credentials(a.id);
    if (!c) return undefined;
    return {
      id: a.id,
      name: a.name,
      active: a.status === PROTO_STATUS.active,
      deviceTypes: new Set(a.deviceTypes),
      webhookUrl: a.webhookUrl || null,
      webhookEventTypes: new Set(a.webhookEventTypes),
      ...c,
    };
  };

  const reindex = () => {
    byKeyHash = new Map([...targets.values()].flatMap((t) => (t.apiKeyHash ? [[t.apiKeyHash, t] as const] : [])));
  };

  async function watchOnce(signal: AbortSignal) {
    for await (const res of client.watchApplications({ deviceTypes: [] }, { signal })) {
      const ev = res.event;
      if (ev.case === "snapshot") {
        const next = new Map<string, Target>();
        // A few at a time: a registry with thousands of applications is not asked all at once.
        const apps = ev.value.applications;
        for (let i = 0; i < apps.length; i += 16) {
          for (const t of await Promise.all(apps.slice(i, i + 16).map(targetOf))) if (t) next.set(t.id, t);
        }
        targets = next;
        current = true;
        delay = backoff.initialMs;
        opts.log.info("delivery targets synced", { applications: targets.size });
      } else if (ev.case === "change" && ev.value.application) {
        const a = ev.value.application;
        const t = ev.value.type === ChangeType.DELETED ? undefined : await targetOf(a);
        if (t) targets.set(a.id, t);
        else targets.delete(a.id);
      } else continue;
      reindex();
      await opts.onChange();
    }
  }

  async function run() {
    while (running) {
      abort = new AbortController();
      try {
        await watchOnce(abort.signal);
        throw new Error("the registry closed the watch stream");
      } catch (e) {
        if (!running) break;
        current = false;
        opts.log.warn("registry watch failed; delivering to the last known applications", {
          error: errorMessage(e),
          retry_in_ms: delay,
        });
        await Bun.sleep(delay);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }

  return {
    get: (id: string) => targets.get(id),
    all: () => [...targets.values()],
    byApiKeyHash: (hash: string) => byKeyHash.get(hash),
    get current() {
      return current;
    },
    start() {
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      abort?.abort();
      await loop;
    },
  };
}
