/**
 * The registry's reads answered from memory: every application, kept current by the change feed,
 * with the answer per device type computed once per change (enrichment and the dashboard ask for
 * the same few types all the time; each read used to run and prepare two SQL queries).
 *
 * Fresh enough by construction: a write publishes its change to the feed synchronously before it is
 * acknowledged (registry.ts), and the read model applies it in that same call, so a read on this
 * replica never misses a write this replica acknowledged. Whatever else publishes into the feed, such
 * as the cross-replica LISTEN/NOTIFY bridge, reaches it the same way; a source that only knows that
 * something changed calls `invalidate()`, which reloads from the database.
 */
import type { Application, ApplicationQuery } from "./application";
import type { ApplicationChange, ChangeFeed } from "./change-feed";
import type { ApplicationFilter, ApplicationRepository } from "./db/repository";

/** Answers kept per device type: device-supplied type names must not grow memory without bound. */
const MAX_CACHED_TYPES = 1_024;

export interface ReadModel {
  get(id: string): Promise<Application | undefined>;
  list(query: ApplicationQuery): Promise<{ applications: Application[]; total: number }>;
  /** As the repository's find, unpaged: in registration order. */
  find(filter: ApplicationFilter): Promise<Application[]>;
  /**
   * The active applications of one device type, in registration order, if memory holds the current
   * answer; undefined while nothing is loaded or a (re)load runs (`find` then awaits the database).
   * The same array is returned until a change touches the model, so callers may cache by identity.
   */
  activeNow(deviceType: string): readonly Application[] | undefined;
  /** Reloads everything from the database (a change arrived that the feed could not describe). */
  invalidate(): void;
}

export function createReadModel({ repo, feed }: { repo: ApplicationRepository; feed: ChangeFeed }): ReadModel {
  let byId = new Map<string, Application>();
  let stale = true; // nothing loaded yet, or the last load failed: the next read loads
  let ordered: Application[] | undefined; // registration order (created_at, then id), built on demand
  const activeByType = new Map<string, Application[]>();
  // Changes published while a load runs are applied after it: a load may predate them.
  let loading: Promise<void> | undefined;
  let pending: ApplicationChange[] = [];

  const changed = () => {
    ordered = undefined;
    activeByType.clear();
  };

  const apply = (change: ApplicationChange) => {
    const { application: a } = change;
    if (change.type === "deleted") byId.delete(a.id);
    else {
      // Two writes to one application can publish out of commit order; the later update wins.
      const held = byId.get(a.id);
      if (held && held.updatedAt > a.updatedAt) return;
      byId.set(a.id, a);
    }
    changed();
  };

  let generation = 0;
  const load = () => {
    const mine = ++generation; // a newer load supersedes this one
    pending = [];
    const run: Promise<void> = repo.find({}).then(
      (all) => {
        if (mine !== generation) return;
        byId = new Map(all.map((a) => [a.id, a]));
        const late = pending;
        [pending, loading] = [[], undefined];
        late.forEach(apply);
        changed();
      },
      (e) => {
        // Not cached as a failure: the next read loads again.
        if (mine === generation) [loading, stale] = [undefined, true];
        throw e;
      },
    );
    loading = run;
    run.catch(() => undefined); // readers see the failure; a load nobody awaits must not crash the process
  };
  // The feed ends its subscriptions itself when the service stops.
  feed.subscribe((change) => {
    if (loading) pending.push(change);
    else if (!stale) apply(change);
  });

  const ready = async () => {
    if (stale && !loading) {
      stale = false;
      load();
    }
    // A load superseded meanwhile (invalidate) is followed by the newer one.
    while (loading) await loading;
  };

  const sorted = () => {
    ordered ??= [...byId.values()].sort(
      (x, y) => x.createdAt.getTime() - y.createdAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0),
    );
    return ordered;
  };

  const matches = (a: Application, f: ApplicationFilter) =>
    (f.status === undefined || a.status === f.status) &&
    (f.platform === undefined || a.platform === f.platform) &&
    (f.category === undefined || a.category === f.category) &&
    (f.deviceTypes === undefined || f.deviceTypes.some((t) => a.deviceTypes.includes(t)));

  const activeFor = (deviceType: string) => {
    let list = activeByType.get(deviceType);
    if (!list) {
      list = sorted().filter((a) => a.status === "active" && a.deviceTypes.includes(deviceType));
      if (activeByType.size < MAX_CACHED_TYPES) activeByType.set(deviceType, list);
    }
    return list;
  };

  return {
    async get(id) {
      await ready();
      return byId.get(id);
    },
    async list({ limit, offset, deviceType, ...exact }) {
      await ready();
      const filter: ApplicationFilter = deviceType === undefined ? exact : { ...exact, deviceTypes: [deviceType] };
      const all = sorted().filter((a) => matches(a, filter));
      return { applications: all.slice(offset, offset + limit), total: all.length };
    },
    async find(filter) {
      await ready();
      const { status, deviceTypes, ...rest } = filter;
      // The registry's hot read (enrichment, the dashboard): active applications of one device type.
      if (status === "active" && deviceTypes?.length === 1 && Object.keys(rest).length === 0)
        return activeFor(deviceTypes[0]!);
      return sorted().filter((a) => matches(a, filter));
    },
    activeNow: (deviceType) => (stale || loading ? undefined : activeFor(deviceType)),
    invalidate() {
      stale = false;
      load();
    },
  };
}
