/** The register / edit form, with the registry's validation messages next to the fields they concern. */
import type { ApplicationInput, RegistryApplication, RegistryDeviceType } from "../registry/client";
import { PLATFORMS, STATUSES } from "@iot/common/wire";
import { EVENT_TYPES } from "@iot/app-registry/contract";
import { html, type Html } from "./html";

export type FormValues = Omit<
  ApplicationInput,
  "description" | "category" | "platform" | "webhook_url" | "webhook_event_types"
> & {
  description: string;
  category: string;
  platform: string;
  webhook_url: string;
  webhook_event_types: RegistryApplication["webhook_event_types"];
};
export type FieldErrors = Record<string, string[]>;

export const EMPTY_FORM: FormValues = {
  name: "",
  version: "",
  developer: "",
  contact_email: "",
  description: "",
  category: "",
  platform: "",
  devicetypes: [],
  webhook_url: "",
  webhook_event_types: [],
};

export const formValuesOf = (a: RegistryApplication): FormValues => ({
  name: a.name,
  version: a.version,
  developer: a.developer,
  contact_email: a.contact_email ?? "",
  description: a.description ?? "",
  category: a.category ?? "",
  platform: a.platform ?? "",
  devicetypes: a.devicetypes,
  status: a.status,
  webhook_url: a.webhook_url ?? "",
  webhook_event_types: a.webhook_event_types ?? [],
});

/** Blank optional fields mean "none" to the registry. */
export const inputOf = (v: FormValues): ApplicationInput => ({
  ...v,
  description: v.description || null,
  category: v.category || null,
  platform: v.platform || null,
  webhook_url: v.webhook_url || null,
});

/** What a form sent; a field it left out is empty (the registry says which are required). */
export function formValuesFrom(form: URLSearchParams): FormValues {
  const text = (k: string) => form.get(k) ?? "";
  const status = form.get("status");
  return {
    name: text("name"),
    version: text("version"),
    developer: text("developer"),
    contact_email: text("contact_email"),
    description: text("description"),
    category: text("category"),
    platform: text("platform"),
    webhook_url: text("webhook_url"),
    // Only the boxes this form offers; anything else a tampered form sends is dropped.
    webhook_event_types: EVENT_TYPES.filter((t) => form.getAll("webhook_event_types").includes(t)),
    devicetypes: form.getAll("devicetypes"),
    ...(status !== null ? { status } : {}),
  };
}

const problems = (errors: FieldErrors, field: string): Html | "" =>
  errors[field]?.length ? html`<span class="error" id="err-${field}">${errors[field].join(" ")}</span>` : "";

const input = (
  label: string,
  field: keyof FormValues,
  v: FormValues,
  errors: FieldErrors,
  type = "text",
  required = true,
) =>
  html`<label>${label}<input name="${field}" type="${type}" value="${String(v[field] ?? "")}"${required ? html` required` : ""}${errors[field] ? html` aria-invalid="true" aria-describedby="err-${field}"` : ""}>${problems(errors, field)}</label>`;

const select = (
  label: string,
  field: "platform" | "status",
  options: readonly string[],
  current: string,
  errors: FieldErrors,
  blank?: string,
) =>
  html`<label>${label}<select name="${field}">${blank !== undefined ? html`<option value="">${blank}</option>` : ""}${options.map(
    (o) => html`<option value="${o}"${o === current ? html` selected` : ""}>${o}</option>`,
  )}</select>${problems(errors, field)}</label>`;

export function appForm(opts: {
  id?: string;
  values: FormValues;
  errors: FieldErrors;
  deviceTypes: RegistryDeviceType[];
}): Html {
  const { id, values: v, errors } = opts;
  // Types the application already has stay choosable even if the registry file no longer lists them.
  const known = new Set(opts.deviceTypes.map((t) => t.id));
  const types = [...opts.deviceTypes, ...v.devicetypes.filter((t) => !known.has(t)).map((t) => ({ id: t, name: t }))];
  const action =
    id === undefined ? html`hx-post="/applications"` : html`hx-put="/applications/${encodeURIComponent(id)}"`;
  const general = Object.entries(errors).filter(([k]) => !(k in EMPTY_FORM) && k !== "status");
  return html`<form class="app-form" ${action} hx-swap="none">
${general.length > 0 ? html`<p class="error">${general.map(([k, m]) => html`${k}: ${m.join(" ")} `)}</p>` : ""}
${input("Name", "name", v, errors)}${input("Version", "version", v, errors)}${input("Developer", "developer", v, errors)}
${input("Contact e-mail", "contact_email", v, errors, "email")}${input("Category", "category", v, errors, "text", false)}
${select("Platform", "platform", PLATFORMS, v.platform, errors, "none")}
${id !== undefined ? select("Status", "status", STATUSES, v.status ?? "", errors) : ""}
${input("Webhook URL (optional: signed POSTs of its records)", "webhook_url", v, errors, "url", false)}
<fieldset><legend>Webhook event types (none: all)</legend>${EVENT_TYPES.map(
    (t) =>
      html`<label class="check"><input type="checkbox" name="webhook_event_types" value="${t}"${v.webhook_event_types.includes(t) ? html` checked` : ""}> ${t}</label>`,
  )}${problems(errors, "webhook_event_types")}</fieldset>
<label>Description<textarea name="description">${v.description}</textarea>${problems(errors, "description")}</label>
<fieldset><legend>Device types</legend>${types.map(
    (t) =>
      html`<label class="check"><input type="checkbox" name="devicetypes" value="${t.id}"${v.devicetypes.includes(t.id) ? html` checked` : ""}> ${t.name} <code>${t.id}</code></label>`,
  )}${problems(errors, "devicetypes")}</fieldset>
<button type="submit">${id === undefined ? "Register" : "Save"}</button>
</form>`;
}
