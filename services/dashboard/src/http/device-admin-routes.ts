/**
 * Provision, enable/disable, re-key, delete and import devices through the App Registry, with the
 * dashboard's credentials, as the application forms do. Answers are <hx-partial>s for the regions
 * an action changes; the registry's refusals come back inline; a registry that cannot be used is
 * answered in errors.ts.
 */
import { Elysia } from "elysia";
import type { Outcome, RegistryClient } from "../registry/client";
import type { DeviceClient, DeviceFilter } from "../registry/device-client";
import type { DeviceStore } from "../state/devices";
import { errorNotice } from "../views/applications";
import {
  DEVICES_LISTED,
  deviceAdminPage,
  deviceListRegion,
  importNotice,
  type IngestEndpoints,
  provisionFormRegion,
  tokenNotice,
} from "../views/device-admin";
import { deviceFormValuesFrom, deviceInputOf, EMPTY_DEVICE_FORM } from "../views/device-form";
import { html, type Html } from "../views/html";
import { partial, type Region } from "../views/layout";
import { readFormData } from "./form-body";
import { htmlResponse } from "./respond";

/** The registry's own limit on an import body; a bigger file is refused here with the same words. */
export const MAX_IMPORT_BYTES = 16 * 1024 * 1024;
/** Room for a multipart form's boundaries and part headers around the file. */
const FORM_OVERHEAD_BYTES = 16 * 1024;
export const IMPORT_PATH = "/admin/devices/import";
export const MAX_IMPORT_BODY_BYTES = MAX_IMPORT_BYTES + FORM_OVERHEAD_BYTES;

export interface DeviceAdminDeps {
  devices: DeviceClient;
  registry: Pick<RegistryClient, "deviceTypes">;
  /** The live stream's view of devices: when each was last seen. */
  seen: Pick<DeviceStore, "get">;
  ingest: IngestEndpoints;
  /** The provisioning form's body limit. */
  maxBodyBytes: number;
}

const partials = (status: number, ...regions: Region[]) => htmlResponse(html`${regions.map(partial)}`, status);
const notice = (body: Html): Region => ({ id: "notice", body, swap: "innerHTML" });
const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
const filterOf = (q: Record<string, unknown>): DeviceFilter => ({
  type: text(q.type),
  status: text(q.status),
  search: text(q.search),
});
const refused = (o: Extract<Outcome<unknown>, { ok: false }>) =>
  errorNotice(Object.keys(o.details).length > 0 ? `${o.error}: ${Object.values(o.details).flat().join(" ")}` : o.error);

export function deviceAdminRoutes({ devices, registry, seen, ingest, maxBodyBytes }: DeviceAdminDeps) {
  const lastSeen = (id: string) => seen.get(id)?.lastSeen;
  const listing = async (filter: DeviceFilter) => ({
    ...(await devices.list(filter, DEVICES_LISTED)),
    filter,
    lastSeen,
  });
  /** The list as the page that asked shows it (htmx sends that page's URL). */
  const list = async (request: Request) => {
    const current = request.headers.get("hx-current-url");
    const query = current && URL.canParse(current) ? Object.fromEntries(new URL(current).searchParams) : {};
    return deviceListRegion(await listing(filterOf(query)));
  };

  return new Elysia({ name: "dashboard-device-admin" })
    .get("/admin/devices", async ({ query }) => {
      const [l, deviceTypes] = await Promise.all([listing(filterOf(query)), registry.deviceTypes()]);
      return htmlResponse(deviceAdminPage(l, deviceTypes));
    })
    .post(
      "/admin/devices",
      async ({ request }) => {
        const values = deviceFormValuesFrom(await readFormData(request, maxBodyBytes));
        const deviceTypes = await registry.deviceTypes();
        const parsed = deviceInputOf(values);
        const result =
          "errors" in parsed
            ? { ok: false as const, status: 400, error: "Validation failed", details: parsed.errors }
            : await devices.create(parsed.input);
        if (!result.ok) {
          const errors = Object.keys(result.details).length > 0 ? result.details : { _schema: [result.error] };
          return partials(422, notice(html``), provisionFormRegion(values, errors, deviceTypes));
        }
        const { device, token } = result.value;
        return partials(
          200,
          notice(tokenNotice("Provisioned", device, token, ingest)),
          provisionFormRegion(EMPTY_DEVICE_FORM, {}, deviceTypes),
          await list(request),
        );
      },
      { parse: "none" },
    )
    .post(
      IMPORT_PATH,
      async ({ request }) => {
        const file = (await readFormData(request, MAX_IMPORT_BODY_BYTES)).get("file");
        if (!(file instanceof Blob) || file.size === 0)
          return partials(400, notice(errorNotice("Choose a CSV file to import.")));
        if (file.size > MAX_IMPORT_BYTES)
          return partials(413, notice(errorNotice(`The file is larger than ${MAX_IMPORT_BYTES} bytes.`)));
        const result = await devices.importCsv(await file.text());
        if (!result.ok) return partials(result.status, notice(refused(result)));
        return partials(200, notice(importNotice(result.value)), await list(request));
      },
      { parse: "none" },
    )
    .patch("/admin/devices/:id/status", async ({ params, query, request }) => {
      const to = query.to === "disabled" ? "disabled" : "enabled";
      const result = await devices.setStatus(params.id, to);
      const message = result.ok ? html`<p class="ok"><code>${params.id}</code> ${to}.</p>` : refused(result);
      return partials(result.ok ? 200 : result.status, notice(message), await list(request));
    })
    .post("/admin/devices/:id/regenerate-token", async ({ params, request }) => {
      const result = await devices.regenerateToken(params.id);
      if (!result.ok) return partials(result.status, notice(refused(result)), await list(request));
      const device = (await devices.get(params.id)) ?? { device_id: params.id, device_type: "" };
      return partials(200, notice(tokenNotice("New token for", device, result.value, ingest)), await list(request));
    })
    .delete("/admin/devices/:id", async ({ params, request }) => {
      const result = await devices.remove(params.id);
      const message = result.ok ? html`<p class="ok">Device <code>${params.id}</code> deleted.</p>` : refused(result);
      return partials(result.ok ? 200 : result.status, notice(message), await list(request));
    });
}
