/** The seed's REST API: decode (rest-input.ts) → domain → encode (json.ts). Errors are mapped in errors.ts. */
import type { DeviceType } from "@iot/common/device-registry";
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { AdminCheck, WriteGuard } from "../auth";
import type { Application } from "../application";
import type { Registry } from "../registry";
import { readJson } from "./json-body";
import { applicationJson } from "./json";
import { docs } from "./openapi";
import { restInput } from "./rest-input";

export interface ApplicationRoutesDeps {
  registry: Registry;
  guard: WriteGuard;
  /** Who sees contact e-mails in reads. */
  isAdmin: AdminCheck;
  deviceTypes: () => DeviceType[];
}

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

/**
 * 405 with `Allow` for a known path asked with another method (hidden from OpenAPI). One route
 * per method rather than `.all`, which a `GET /:id` beside the path would otherwise win over.
 */
export function methodNotAllowed(path: string, allow: string) {
  const handler = ({ set }: { set: { status?: number | string; headers: Record<string, string | number> } }) => {
    set.status = 405;
    set.headers.allow = allow;
    return { error: "Method not allowed" };
  };
  return METHODS.filter((m) => !allow.split(", ").includes(m)).reduce(
    (app, method) => app.route(method, path, handler, { detail: { hide: true }, parse: "none" }),
    new Elysia(),
  );
}

export function applicationRoutes({ registry, guard, isAdmin, deviceTypes }: ApplicationRoutesDeps) {
  const caller = (request: Request, server: Server<unknown> | null) => ({
    authorization: request.headers.get("authorization"),
    remoteAddress: server?.requestIP(request)?.address,
  });
  // Auth runs before the body is read: an unauthorized caller learns nothing about its input.
  const authorize = (request: Request, server: Server<unknown> | null) => guard(caller(request, server));
  /** How a read shows applications to this caller; writers are admins, so their replies show everything. */
  const view = (request: Request, server: Server<unknown> | null) => ({ contact: isAdmin(caller(request, server)) });
  const admin = { contact: true };
  const many = (applications: Application[], shown: { contact: boolean }) => ({
    applications: applications.map((a) => applicationJson(a, shown)),
    count: applications.length,
  });

  return new Elysia({ name: "application-routes" })
    .get("/health", () => ({ status: "healthy", service: "Application Registry Service" }), { detail: docs.health })
    .use(methodNotAllowed("/health", "GET"))
    .post(
      "/api/applications",
      async ({ request, server, set }) => {
        authorize(request, server);
        const { application, apiKey, webhookSecret } = await registry.register(
          restInput.newApplication.parse(await readJson(request)),
        );
        set.status = 201;
        return {
          message: "Application registered successfully",
          application: { ...applicationJson(application, admin), api_key: apiKey, webhook_secret: webhookSecret },
        };
      },
      { parse: "none", detail: docs.register },
    )
    .get(
      "/api/applications",
      async ({ query, request, server }) => {
        const { applications, total } = await registry.list(restInput.applicationQuery.parse(query));
        return { ...many(applications, view(request, server)), total };
      },
      { detail: docs.list },
    )
    .use(methodNotAllowed("/api/applications", "GET, POST"))
    .get(
      "/api/device-types",
      () => {
        const types = deviceTypes();
        return { device_types: types, count: types.length };
      },
      { detail: docs.deviceTypes },
    )
    .use(methodNotAllowed("/api/device-types", "GET"))
    .get(
      "/api/applications/by-device-type/:device_type",
      async ({ params, request, server }) => {
        const { deviceType } = restInput.deviceType.parse(params);
        return {
          device_type: deviceType,
          ...many(await registry.activeByDeviceType(deviceType), view(request, server)),
        };
      },
      { detail: docs.byDeviceType },
    )
    .use(methodNotAllowed("/api/applications/by-device-type/:device_type", "GET"))
    .post(
      "/api/applications/by-device-types",
      async ({ request, server }) => {
        const body = await readJson(request);
        const { deviceTypes } = restInput.deviceTypes.parse(body);
        // Echoed as sent, as the seed answered (the query itself runs on the de-duplicated ids).
        const found = await registry.activeByDeviceTypes(deviceTypes);
        return {
          device_types: (body as { device_types: string[] }).device_types,
          ...many(found, view(request, server)),
        };
      },
      { parse: "none", detail: docs.byDeviceTypes },
    )
    .use(methodNotAllowed("/api/applications/by-device-types", "POST"))
    .get(
      "/api/applications/:id",
      async ({ params, request, server }) => ({
        application: applicationJson(await registry.get(params.id), view(request, server)),
      }),
      { detail: docs.get },
    )
    .put(
      "/api/applications/:id",
      async ({ params, request, server }) => {
        authorize(request, server);
        const application = await registry.update(params.id, restInput.applicationPatch.parse(await readJson(request)));
        return { message: "Application updated successfully", application: applicationJson(application, admin) };
      },
      { parse: "none", detail: docs.update },
    )
    .delete(
      "/api/applications/:id",
      async ({ params, request, server }) => {
        authorize(request, server);
        await registry.remove(params.id);
        return { message: "Application deleted successfully" };
      },
      { parse: "none", detail: docs.remove },
    )
    .use(methodNotAllowed("/api/applications/:id", "GET, PUT, DELETE"))
    .post(
      "/api/applications/:id/regenerate-key",
      async ({ params, request, server }) => {
        authorize(request, server);
        return { message: "API key regenerated successfully", new_api_key: await registry.regenerateKey(params.id) };
      },
      { parse: "none", detail: docs.regenerate },
    )
    .use(methodNotAllowed("/api/applications/:id/regenerate-key", "POST"));
}
