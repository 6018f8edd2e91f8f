/** The provision form: what the user typed, the registry's messages next to the fields, and labels as `key=value` pairs. */
import type { NewDeviceInput } from "../registry/device-client";
import type { RegistryDeviceType } from "../registry/client";
import type { FieldErrors } from "./app-form";
import { html, type Html } from "./html";

export interface DeviceFormValues {
  device_id: string;
  device_type: string;
  name: string;
  /** As typed: `key=value` pairs separated by `;` or new lines. */
  labels: string;
}

export const EMPTY_DEVICE_FORM: DeviceFormValues = { device_id: "", device_type: "", name: "", labels: "" };

export function deviceFormValuesFrom(form: FormData): DeviceFormValues {
  const text = (k: string) => {
    const v = form.get(k);
    return typeof v === "string" ? v : "";
  };
  return {
    device_id: text("device_id").trim(),
    device_type: text("device_type"),
    name: text("name"),
    labels: text("labels"),
  };
}

/** The registry's input, or the labels field's problem (the rest the registry checks). */
export function deviceInputOf(v: DeviceFormValues): { input: NewDeviceInput } | { errors: FieldErrors } {
  const pairs: [string, string][] = [];
  for (const pair of v.labels.split(/[;\n]/)) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) return { errors: { labels: [`"${pair.trim()}" is not key=value.`] } };
    pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]);
  }
  // fromEntries defines own properties: a key such as `__proto__` stays a label.
  return {
    input: { device_id: v.device_id, device_type: v.device_type, name: v.name, labels: Object.fromEntries(pairs) },
  };
}

const problems = (errors: FieldErrors, field: string): Html | "" =>
  errors[field]?.length ? html`<span class="error" id="err-dev-${field}">${errors[field].join(" ")}</span>` : "";

const invalid = (errors: FieldErrors, field: string) =>
  errors[field] ? html` aria-invalid="true" aria-describedby="err-dev-${field}"` : "";

export function deviceForm(opts: {
  values: DeviceFormValues;
  errors: FieldErrors;
  deviceTypes: RegistryDeviceType[];
}): Html {
  const { values: v, errors } = opts;
  const general = Object.entries(errors).filter(([k]) => !(k in EMPTY_DEVICE_FORM));
  return html`<form class="app-form" hx-post="/admin/devices" hx-swap="none">
${general.length > 0 ? html`<p class="error">${general.map(([k, m]) => html`${k}: ${m.join(" ")} `)}</p>` : ""}
<label>Device id<input name="device_id" value="${v.device_id}" required maxlength="128" pattern="[A-Za-z0-9._:\\-]{1,128}"${invalid(errors, "device_id")}>${problems(errors, "device_id")}</label>
<label>Device type<select name="device_type" required${invalid(errors, "device_type")}><option value="">choose…</option>${opts.deviceTypes.map(
    (t) => html`<option value="${t.id}"${t.id === v.device_type ? html` selected` : ""}>${t.name} (${t.id})</option>`,
  )}</select>${problems(errors, "device_type")}</label>
<label>Name<input name="name" value="${v.name}" maxlength="200"${invalid(errors, "name")}>${problems(errors, "name")}</label>
<label>Labels <small>key=value; key=value</small><input name="labels" value="${v.labels}"${invalid(errors, "labels")}>${problems(errors, "labels")}</label>
<button type="submit">Provision</button>
</form>`;
}
