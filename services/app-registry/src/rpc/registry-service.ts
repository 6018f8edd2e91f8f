/** ApplicationRegistryService: decode → the same domain calls as REST → encode. */
import type { ConnectRouter, HandlerContext } from "@connectrpc/connect";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import type { Application } from "../application";
import type { Registry } from "../registry";
import { callerIsAdmin } from "./caller";
import type { Shown } from "./convert";
import {
  applicationOut,
  applicationPatchIn,
  applicationQueryIn,
  deviceTypeIn,
  deviceTypesIn,
  newApplicationIn,
  watchEventOut,
  watchIn,
} from "./convert";

/** Methods that change the registry; the request gate authorizes these (server.ts). */
export const WRITE_METHODS: ReadonlySet<string> = new Set([
  "RegisterApplication",
  "UpdateApplication",
  "DeleteApplication",
  "RegenerateApiKey",
]);

/** Reads show contact e-mails to admins only; writers are admins (authorized before the handler runs). */
const shownTo = (ctx: HandlerContext): Shown => ({ contact: ctx.values.get(callerIsAdmin) });
const admin: Shown = { contact: true };
export const many = (applications: readonly Application[], shown: Shown) =>
  applications.map((a) => applicationOut(a, shown));

export const registryService = (registry: Registry) => (router: ConnectRouter) =>
  router.service(ApplicationRegistryService, {
    async registerApplication(req) {
      const { application, apiKey, webhookSecret } = await registry.register(newApplicationIn(req));
      return { application: applicationOut(application, admin), apiKey, webhookSecret };
    },
    getApplication: async (req, ctx) => ({ application: applicationOut(await registry.get(req.id), shownTo(ctx)) }),
    async listApplications(req, ctx) {
      const { applications, total } = await registry.list(applicationQueryIn(req));
      return { applications: many(applications, shownTo(ctx)), total };
    },
    updateApplication: async (req) => ({
      application: applicationOut(await registry.update(req.id, applicationPatchIn(req)), admin),
    }),
    async deleteApplication(req) {
      await registry.remove(req.id);
      return {};
    },
    regenerateApiKey: async (req) => ({ apiKey: await registry.regenerateKey(req.id) }),
    listApplicationsByDeviceType: async (req, ctx) => ({
      applications: many(await registry.activeByDeviceType(deviceTypeIn(req)), shownTo(ctx)),
    }),
    listApplicationsByDeviceTypes: async (req, ctx) => ({
      applications: many(await registry.activeByDeviceTypes(deviceTypesIn(req)), shownTo(ctx)),
    }),
    async *watchApplications(req, ctx) {
      const shown = shownTo(ctx);
      for await (const event of registry.watch(watchIn(req), ctx.signal)) yield watchEventOut(event, shown);
    },
  });
