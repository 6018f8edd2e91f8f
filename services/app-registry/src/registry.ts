/**
 * The App Registry's operations. REST and RPC both call these; each validates its input with the
 * same rules (validation.ts) and publishes committed changes to the change feed (Watch).
 */
import { hashApiKey, newApiKey } from "./api-key";
import type { Application } from "./application";
import { nameKey } from "./application";
import type { ChangeFeed } from "./change-feed";
import type { ApplicationRepository } from "./db/repository";
import { NotFoundError } from "./errors";
import { parseDeviceType, parseDeviceTypes, parseListQuery, parseRegistration, parseUpdate } from "./validation";
import { watchApplications } from "./watch";

export interface RegistryDeps {
  repo: ApplicationRepository;
  feed: ChangeFeed;
  now?: () => Date;
}

export type Registry = ReturnType<typeof createRegistry>;

export function createRegistry({ repo, feed, now = () => new Date() }: RegistryDeps) {
  const found = (app: Application | undefined) => {
    if (!app) throw new NotFoundError();
    return app;
  };

  return {
    /** The only call besides regenerateKey that ever returns an api key. */
    async register(input: unknown): Promise<{ application: Application; apiKey: string }> {
      const fields = parseRegistration(input);
      const apiKey = newApiKey();
      const at = now();
      const application = await repo.insert({
        ...fields,
        // Time-ordered (UUIDv7): registrations made in the same millisecond still list in order.
        id: Bun.randomUUIDv7(),
        status: "active",
        createdAt: at,
        updatedAt: at,
        nameKey: nameKey(fields.name),
        apiKeyHash: hashApiKey(apiKey),
      });
      feed.publish({ type: "created", application });
      return { application, apiKey };
    },

    get: async (id: string) => found(await repo.get(id)),

    async list(query: Parameters<typeof parseListQuery>[0]) {
      const { filter, page } = parseListQuery(query);
      const [applications, total] = await Promise.all([repo.find(filter, page), repo.count(filter)]);
      return { applications, total };
    },

    /** Partial: a field the input does not name keeps its value. */
    async update(id: string, input: unknown): Promise<Application> {
      const patch = parseUpdate(input);
      if (Object.keys(patch).length === 0) return found(await repo.get(id));
      const changes = { ...patch, updatedAt: now(), ...(patch.name === undefined ? {} : { nameKey: nameKey(patch.name) }) };
      const result = await repo.update(id, changes);
      if (!result) throw new NotFoundError();
      feed.publish({ type: "updated", application: result.after, previous: result.before });
      return result.after;
    },

    async remove(id: string): Promise<Application> {
      const application = found(await repo.delete(id));
      feed.publish({ type: "deleted", application });
      return application;
    },

    async regenerateKey(id: string): Promise<string> {
      const apiKey = newApiKey();
      if (!(await repo.setApiKeyHash(id, hashApiKey(apiKey)))) throw new NotFoundError();
      return apiKey;
    },

    /** Active applications registered for exactly this device type. */
    activeByDeviceType: async (deviceType: unknown) => repo.find({ status: "active", deviceTypes: [parseDeviceType(deviceType)] }),

    /** Active applications registered for any of these device types, each once. */
    activeByDeviceTypes: async (deviceTypes: unknown) => repo.find({ status: "active", deviceTypes: parseDeviceTypes(deviceTypes) }),

    /** All matching applications (any status), then every change touching them. */
    watch(deviceTypes: unknown, signal: AbortSignal) {
      const types = parseDeviceTypes(deviceTypes, { nonEmpty: false });
      return watchApplications(feed, () => repo.find(types.length > 0 ? { deviceTypes: types } : {}), types, signal);
    },

    ready: () => repo.ping(),
  };
}
