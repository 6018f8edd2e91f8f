/**
 * Which applications want which device type, kept in memory so that enrichment makes no RPC per
 * message. Filled by the registry's WatchApplications stream (a snapshot, then every change) and
 * re-opened on any error with backoff, and every `relistMs` as a fallback against a missed change.
 * While the stream is down the last known data stays in use, marked not current.
 */
import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { type Application, ApplicationRegistryService, ChangeType } from "@gen/iot/registry/v1/registry_pb";
import { type Clock, systemClock } from "@iot/common/clock";
import { createFirstSync } from "@iot/common/first-sync";
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import type { ApplicationSummary } from "@iot/common/telemetry";
import { nameOfProto, PROTO_PLATFORM, PROTO_STATUS } from "@iot/common/wire";

export interface RegistrationsOptions {
  transport: Transport;
  log: Logger;
  /** Re-open the stream (fresh snapshot) this often even when it is healthy. */
  relistMs: number;
  backoff?: { initialMs: number; maxMs: number };
  clock?: Clock;
}

export interface Registrations {
  /** Active applications for the device type, and whether the data is current. */
  lookup(deviceType: string): { applications: ApplicationSummary[]; current: boolean };
  readonly current: boolean;
  /** Ms since the data was last known current (0 while current); Infinity before the first snapshot. */
  age(): number;
  /** Resolves with the first snapshot (true), or with false after `timeoutMs` without one. */
  synced(timeoutMs: number): Promise<boolean>;
  start(): void;
  stop(): Promise<void>;
}

const EMPTY: ApplicationSummary[] = [];

export function createRegistrations(opts: RegistrationsOptions): Registrations {
  const client: Client<typeof ApplicationRegistryService> = createClient(ApplicationRegistryService, opts.transport);
  const clock = opts.clock ?? systemClock;
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 5_000 };
  const apps = new Map<string, Application>();
  let byType = new Map<string, ApplicationSummary[]>();
  let current = false;
  let lastCurrentAt = -Infinity;
  let abort: AbortController | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let delay = backoff.initialMs;
  const firstSync = createFirstSync();

  const rebuild = () => {
    const next = new Map<string, ApplicationSummary[]>();
    for (const a of apps.values()) {
      if (a.status !== PROTO_STATUS.active) continue;
      const summary = summarize(a);
      for (const t of a.deviceTypes) next.set(t, [...(next.get(t) ?? []), summary]);
    }
    byType = next;
  };

  async function watchOnce(signal: AbortSignal) {
    for await (const res of client.watchApplications({ deviceTypes: [] }, { signal })) {
      const ev = res.event;
      if (ev.case === "snapshot") {
        apps.clear();
        ev.value.applications.forEach((a) => apps.set(a.id, a));
        current = true;
        delay = backoff.initialMs;
        opts.log.info("registrations synced", { applications: apps.size });
      } else if (ev.case === "change" && ev.value.application) {
        const a = ev.value.application;
        if (ev.value.type === ChangeType.DELETED) apps.delete(a.id);
        else apps.set(a.id, a);
      }
      rebuild();
      // After the rebuild, so whoever waited for the snapshot finds it in the lookups.
      if (ev.case === "snapshot") firstSync.done();
    }
  }

  async function run() {
    while (running) {
      abort = new AbortController();
      const relist = clock.setTimeout(() => abort?.abort("relist"), opts.relistMs);
      try {
        await watchOnce(abort.signal);
        throw new Error("the registry closed the watch stream");
      } catch (e) {
        if (!running) break;
        // A planned re-open: the data stays current until the new snapshot.
        if (abort.signal.reason === "relist") continue;
        opts.log.warn("registry watch failed; using the last known registrations", {
          error: errorMessage(e),
          retry_in_ms: delay,
        });
        markStale();
        await clock.sleep(delay, abort.signal);
        delay = Math.min(delay * 2, backoff.maxMs);
      } finally {
        clock.clearTimeout(relist);
      }
    }
  }

  const markStale = () => {
    if (current) lastCurrentAt = clock.now();
    current = false;
  };

  return {
    lookup: (deviceType) => ({ applications: byType.get(deviceType) ?? EMPTY, current }),
    get current() {
      return current;
    },
    age: () => (current ? 0 : clock.now() - lastCurrentAt),
    synced: (timeoutMs) => firstSync.wait(timeoutMs),
    start() {
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      abort?.abort("stop");
      await loop;
    },
  };
}

/** Only what downstream may see: never the contact e-mail (the api key never leaves the registry). */
function summarize(a: Application): ApplicationSummary {
  return {
    id: a.id,
    name: a.name,
    developer: a.developer,
    platform: nameOfProto(PROTO_PLATFORM, a.platform) ?? "",
    category: a.category,
    status: nameOfProto(PROTO_STATUS, a.status) ?? "",
  };
}
