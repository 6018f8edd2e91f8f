/** Devices over REST: decode (device-rest-input.ts) → domain (devices/devices.ts) → encode (device-json.ts). */
import type { Server } from "bun";
import { Elysia } from "elysia";
import type { WriteGuard } from "../auth";
import type { Devices } from "../devices/devices";
import { methodNotAllowed } from "./application-routes";
import { readBulkRows } from "./device-bulk-body";
import { deviceDocs } from "./device-openapi";
import { deviceJson, importResultJson } from "./device-json";
import { deviceRestInput as input } from "./device-rest-input";
import { readJson } from "./json-body";

export interface DeviceRoutesDeps {
  devices: Devices;
  guard: WriteGuard;
}

/** The query string as the rules expect it: `label` may repeat, the other keys are single. */
function queryOf(request: Request): Record<string, unknown> {
  const params = new URL(request.url).searchParams;
  const query: Record<string, unknown> = Object.fromEntries(params);
  if (params.has("label")) query.label = params.getAll("label");
  return query;
}

export function deviceRoutes({ devices, guard }: DeviceRoutesDeps) {
  // Auth runs before the body is read: an unauthorized caller learns nothing about its input.
  const authorize = (request: Request, server: Server<unknown> | null) =>
    guard({ authorization: request.headers.get("authorization"), remoteAddress: server?.requestIP(request)?.address });
  const idOf = (params: { id: string }) => input.deviceId.parse({ device_id: params.id }).deviceId;

  return new Elysia({ name: "device-routes" })
    .post(
      "/api/devices",
      async ({ request, server, set }) => {
        authorize(request, server);
        const { device, token } = await devices.create(input.newDevice.parse(await readJson(request)));
        set.status = 201;
        return { message: "Device created", device: deviceJson(device), token };
      },
      { parse: "none", detail: deviceDocs.create },
    )
    .get(
      "/api/devices",
      async ({ request }) => {
        const { devices: found, total } = await devices.list(input.deviceQuery.parse(queryOf(request)));
        return { devices: found.map(deviceJson), count: found.length, total };
      },
      { detail: deviceDocs.list },
    )
    .use(methodNotAllowed("/api/devices", "GET, POST"))
    .post(
      "/api/devices/bulk",
      async ({ request, server }) => {
        authorize(request, server);
        const results = await devices.importDevices(await readBulkRows(request));
        const tally = { created: 0, unchanged: 0, error: 0 };
        for (const r of results) tally[r.outcome]++;
        return { ...tally, results: results.map(importResultJson) };
      },
      { parse: "none", detail: deviceDocs.bulk },
    )
    .get("/api/devices/:id", async ({ params }) => ({ device: deviceJson(await devices.get(idOf(params))) }), {
      detail: deviceDocs.get,
    })
    .patch(
      "/api/devices/:id",
      async ({ params, request, server }) => {
        authorize(request, server);
        const device = await devices.update(idOf(params), input.devicePatch.parse(await readJson(request)));
        return { message: "Device updated", device: deviceJson(device) };
      },
      { parse: "none", detail: deviceDocs.update },
    )
    .delete(
      "/api/devices/:id",
      async ({ params, request, server }) => {
        authorize(request, server);
        await devices.remove(idOf(params));
        return { message: "Device deleted" };
      },
      { parse: "none", detail: deviceDocs.remove },
    )
    .use(methodNotAllowed("/api/devices/:id", "GET, PATCH, DELETE"))
    .post(
      "/api/devices/:id/regenerate-token",
      async ({ params, request, server }) => {
        authorize(request, server);
        return { message: "Token regenerated", token: await devices.regenerateToken(idOf(params)) };
      },
      { parse: "none", detail: deviceDocs.regenerate },
    )
    .use(methodNotAllowed("/api/devices/:id/regenerate-token", "POST"));
}
