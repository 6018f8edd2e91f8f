/** ApplicationRegistryService: decode → the same domain calls as REST → encode. */
import type { ConnectRouter } from "@connectrpc/connect";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import type { Registry } from "../registry";
import { applicationOut, applicationPatchIn, applicationQueryIn, deviceTypeIn, deviceTypesIn, newApplicationIn, watchEventOut, watchIn } from "./convert";

/** Methods that change the registry; the request gate authorizes these (server.ts). */
export const WRITE_METHODS: ReadonlySet<string> = new Set(["RegisterApplication", "UpdateApplication", "DeleteApplication", "RegenerateApiKey"]);

export const registryService = (registry: Registry) => (router: ConnectRouter) =>
  router.service(ApplicationRegistryService, {
    async registerApplication(req) {
      const { application, apiKey, webhookSecret } = await registry.register(newApplicationIn(req));
      return { application: applicationOut(application), apiKey, webhookSecret };
    },
    getApplication: async (req) => ({ application: applicationOut(await registry.get(req.id)) }),
    async listApplications(req) {
      const { applications, total } = await registry.list(applicationQueryIn(req));
      return { applications: applications.map(applicationOut), total };
    },
    updateApplication: async (req) => ({ application: applicationOut(await registry.update(req.id, applicationPatchIn(req))) }),
    async deleteApplication(req) {
      await registry.remove(req.id);
      return {};
    },
    regenerateApiKey: async (req) => ({ apiKey: await registry.regenerateKey(req.id) }),
    listApplicationsByDeviceType: async (req) => ({ applications: (await registry.activeByDeviceType(deviceTypeIn(req))).map(applicationOut) }),
    listApplicationsByDeviceTypes: async (req) => ({ applications: (await registry.activeByDeviceTypes(deviceTypesIn(req))).map(applicationOut) }),
    async *watchApplications(req, ctx) {
      for await (const event of registry.watch(watchIn(req), ctx.signal)) yield watchEventOut(event);
    },
  });
