/**
 * Register, edit, delete and re-key applications through the App Registry, with the dashboard's
 * credentials, for operators only (operator-guard.ts refuses every write from anyone else; the edit
 * form, which shows the contact e-mail, is refused here). Answers are <hx-partial>s for the regions an
 * action changes; the registry's refusals come back inline in the form; a registry that cannot be
 * used is answered in errors.ts. Ids are checked for the registry's shape before they go in a path.
 */
import { Elysia } from "elysia";
import type { Access } from "../auth/access";
import { type Outcome, type RegistryApplication, type RegistryClient, RegistryError } from "../registry/client";
import { appForm, EMPTY_FORM, type FieldErrors, formValuesFrom, formValuesOf, inputOf } from "../views/app-form";
import { applicationsPage, appsRegion, errorNotice, keyNotice, noticeRegion } from "../views/applications";
import { html, type Html } from "../views/html";
import { partial, type Region } from "../views/layout";
import { readForm } from "./form-body";
import { type Identify, requireOperator } from "./operator-guard";
import { htmlResponse } from "./respond";

const partials = (status: number, ...regions: Region[]) => htmlResponse(html`${regions.map(partial)}`, status);
const notice = (body: Html | string) => ({ ...noticeRegion(body), swap: "innerHTML" as const });
const editor = (body: Html) => ({ id: "editor", body, swap: "innerHTML" as const });
const closedEditor = () => editor(html`<p class="empty">Choose Edit on a registration.</p>`);

/** The registry's ids (UUIDs); anything else names no registration and never reaches the registry. */
const REGISTRY_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isRegistryId = (id: string) => REGISTRY_ID.test(id);

/** The registry's field messages; a refusal without any (e.g. not found) shows as a form-level message. */
const errorsOf = (o: Extract<Outcome<unknown>, { ok: false }>): FieldErrors =>
  Object.keys(o.details).length > 0 ? o.details : { _schema: [o.error] };

export interface ApplicationRoutesDeps {
  registry: RegistryClient;
  access: Access;
  identify: Identify;
  maxBodyBytes: number;
}

export function applicationRoutes({ registry, access, identify, maxBodyBytes }: ApplicationRoutesDeps) {
  // Only operators reach the write routes, so the regions they answer with are an operator's.
  const catalogue = async (operator = true) => {
    const [deviceTypes, applications] = await Promise.all([registry.deviceTypes(), registry.listApplications()]);
    return { deviceTypes, applications, operator };
  };
  const apps = async () => appsRegion(await catalogue());
  const missing = async () =>
    partials(404, notice(errorNotice("That registration no longer exists.")), closedEditor(), await apps());
  /**
   * After a key was issued: the key exists only in this answer, so a registry that fails on the
   * follow-up read must not lose it; the list region then says it could not be refreshed.
   */
  const afterKey = async (): Promise<{ list: Region; applications: RegistryApplication[] }> => {
    try {
      const c = await catalogue();
      return { list: appsRegion(c), applications: c.applications };
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      return {
        list: { id: "apps", body: errorNotice(`The list could not be refreshed: ${e.message}`) },
        applications: [],
      };
    }
  };

  return new Elysia({ name: "dashboard-applications" })
    .get("/applications", async ({ request, server }) =>
      htmlResponse(applicationsPage(await catalogue(identify.operator(request, server) !== undefined))),
    )
    .post(
      "/applications",
      async ({ request }) => {
        const values = formValuesFrom(await readForm(request, maxBodyBytes));
        const deviceTypes = await registry.deviceTypes();
        const result = await registry.register(inputOf(values));
        if (!result.ok)
          return partials(422, notice(""), {
            id: "register-form",
            body: appForm({ values, errors: errorsOf(result), deviceTypes }),
            swap: "innerHTML",
          });
        const { application, apiKey, webhookSecret } = result.value;
        return partials(
          200,
          notice(keyNotice("Registered", application.name, apiKey, webhookSecret)),
          { id: "register-form", body: appForm({ values: EMPTY_FORM, errors: {}, deviceTypes }), swap: "innerHTML" },
          (await afterKey()).list,
        );
      },
      { parse: "none" },
    )
    .get(
      "/applications/:id/edit",
      async ({ params }) => {
        if (!isRegistryId(params.id)) return missing();
        const [application, deviceTypes] = await Promise.all([
          registry.getApplication(params.id),
          registry.deviceTypes(),
        ]);
        if (!application) return missing();
        return partials(
          200,
          notice(""),
          editor(
            html`<h3>${application.name}</h3>${appForm({ id: application.id, values: formValuesOf(application), errors: {}, deviceTypes })}`,
          ),
        );
      },
      { beforeHandle: requireOperator(access, identify) },
    )
    .put(
      "/applications/:id",
      async ({ params, request }) => {
        if (!isRegistryId(params.id)) return missing();
        const values = formValuesFrom(await readForm(request, maxBodyBytes));
        const result = await registry.update(params.id, inputOf(values));
        if (!result.ok) {
          const form = appForm({
            id: params.id,
            values,
            errors: errorsOf(result),
            deviceTypes: await registry.deviceTypes(),
          });
          return partials(422, notice(""), editor(html`<h3>${values.name}</h3>${form}`));
        }
        return partials(
          200,
          notice(html`<p class="ok">Saved <strong>${result.value.name}</strong>.</p>`),
          closedEditor(),
          await apps(),
        );
      },
      { parse: "none" },
    )
    .delete(
      "/applications/:id",
      async ({ params }) => {
        if (!isRegistryId(params.id)) return missing();
        const result = await registry.remove(params.id);
        const message = result.ok ? html`<p class="ok">Registration deleted.</p>` : errorNotice(result.error);
        return partials(result.ok ? 200 : 404, notice(message), closedEditor(), await apps());
      },
      { parse: "none" },
    )
    .post(
      "/applications/:id/regenerate-key",
      async ({ params }) => {
        if (!isRegistryId(params.id)) return missing();
        const result = await registry.regenerateKey(params.id);
        if (!result.ok) return partials(404, notice(errorNotice(result.error)), await apps());
        const { list, applications } = await afterKey();
        const name = applications.find((a) => a.id === params.id)?.name ?? params.id;
        return partials(200, notice(keyNotice("New key for", name, result.value)), list);
      },
      { parse: "none" },
    );
}
