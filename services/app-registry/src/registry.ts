/**
 * The App Registry's operations, on the domain's own typed input. The pattern, for every record
 * the registry keeps (applications now, devices next):
 *   - application.ts: the record and its input types (NewApplication, ApplicationPatch, ApplicationQuery);
 *   - application-input.ts: each input field's rule (rules.ts), from which every edge decodes and
 *     the OpenAPI document is derived;
 *   - each edge spells those fields its own way, once: http/rest-input.ts (snake_case JSON),
 *     rpc/convert.ts (proto names, via rpc/message-input.ts), so a validation error names the
 *     field as that caller wrote it;
 *   - here: plain functions on decoded values, publishing committed changes to the feed (Watch).
 *     They do not re-check: outside input reaches them only through an edge's decoder.
 */
import { hashApiKey, newApiKey, newWebhookSecret } from "./api-key";
import type { Application, ApplicationPatch, ApplicationQuery, NewApplication } from "./application";
import { isApplicationId, nameKey } from "./application";
import type { ChangeFeed } from "./change-feed";
import type { ApplicationRepository } from "./db/repository";
import { NotFoundError } from "./errors";
import { createReadModel } from "./read-model";
import { watchApplications } from "./watch";

export interface RegistryDeps {
  repo: ApplicationRepository;
  feed: ChangeFeed;
  now?: () => Date;
}

export type Registry = ReturnType<typeof createRegistry>;

export function createRegistry({ repo, feed, now = () => new Date() }: RegistryDeps) {
  // Reads come from memory (read-model.ts); writes go to the database and then through the feed.
  const reads = createReadModel({ repo, feed });
  let watching = 0;
  async function* counted<T>(stream: AsyncGenerator<T>) {
    watching++;
    try {
      yield* stream;
    } finally {
      watching--;
    }
  }
  const found = (app: Application | undefined) => {
    if (!app) throw new NotFoundError();
    return app;
  };
  // A caller's id goes no further than this: a non-UUID (a NUL, a path, a megabyte) is simply not found.
  const known = (id: string) => {
    if (!isApplicationId(id)) throw new NotFoundError();
    return id;
  };

  // An unchanged "updated" event: watchers (the delivery service) fetch the new credentials, so a revoked key stops working at once.
  const credentialsChanged = async (id: string) => {
    const application = await repo.get(id);
    if (application) feed.publish({ type: "updated", application, previous: application });
  };

  return {
    /** The only call besides regenerateKey that ever returns an api key (and besides rotateWebhookSecret, a webhook secret). */
    async register(
      fields: NewApplication,
    ): Promise<{ application: Application; apiKey: string; webhookSecret: string }> {
      const apiKey = newApiKey();
      // Every registration gets one, so a webhook added later by an update is signed from the start.
      const webhookSecret = newWebhookSecret();
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
        webhookSecret,
      });
      feed.publish({ type: "created", application });
      return { application, apiKey, webhookSecret };
    },

    get: async (id: string) => found(await reads.get(known(id))),

    list: (query: ApplicationQuery) => reads.list(query),

    /** Partial: a field the input does not name keeps its value. */
    async update(id: string, patch: ApplicationPatch): Promise<Application> {
      known(id);
      if (Object.keys(patch).length === 0) return found(await repo.get(id));
      const changes = {
        ...patch,
        updatedAt: now(),
        ...(patch.name === undefined ? {} : { nameKey: nameKey(patch.name) }),
      };
      const result = await repo.update(id, changes);
      if (!result) throw new NotFoundError();
      feed.publish({ type: "updated", application: result.after, previous: result.before });
      return result.after;
    },

    async remove(id: string): Promise<Application> {
      const application = found(await repo.delete(known(id)));
      feed.publish({ type: "deleted", application });
      return application;
    },

    async regenerateKey(id: string): Promise<string> {
      known(id);
      const apiKey = newApiKey();
      if (!(await repo.setApiKeyHash(id, hashApiKey(apiKey)))) throw new NotFoundError();
      await credentialsChanged(id);
      return apiKey;
    },

    async rotateWebhookSecret(id: string): Promise<string> {
      known(id);
      const secret = newWebhookSecret();
      if (!(await repo.setWebhookSecret(id, secret))) throw new NotFoundError();
      await credentialsChanged(id);
      return secret;
    },

    /** For the delivery service only (callers are admin-authenticated at the edge). */
    deliveryCredentials: async (id: string) => {
      const credentials = await repo.credentials(known(id));
      if (!credentials) throw new NotFoundError();
      return credentials;
    },

    /** Active applications registered for exactly this device type. */
    activeByDeviceType: (deviceType: string) => reads.find({ status: "active", deviceTypes: [deviceType] }),

    /** As activeByDeviceType when memory holds the current answer (no database read), else undefined. */
    activeByDeviceTypeNow: (deviceType: string) => reads.activeNow(deviceType),

    /** Active applications registered for any of these device types, each once. */
    activeByDeviceTypes: (deviceTypes: string[]) => reads.find({ status: "active", deviceTypes }),

    /** All matching applications (any status; no device types: all), then every change touching them. */
    watch(deviceTypes: string[], signal: AbortSignal) {
      return counted(
        watchApplications(feed, () => reads.find(deviceTypes.length > 0 ? { deviceTypes } : {}), deviceTypes, signal),
      );
    },

    /** Open watch streams (the feed has other subscribers: the read model). */
    watchStreams: () => watching,

    /** For a change source that cannot say what changed (say, a notification from another replica): reload the reads. */
    invalidateReads: () => reads.invalidate(),

    ready: () => repo.ping(),
  };
}
