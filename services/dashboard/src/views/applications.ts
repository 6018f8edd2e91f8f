/** Registrations grouped by device type, the types as the registry lists them; forms to change them. */
import type { RegistryApplication, RegistryDeviceType } from "../registry/client";
import { appForm, EMPTY_FORM } from "./app-form";
import { html, type Html } from "./html";
import { page, type Region, region } from "./layout";

export interface Catalogue {
  deviceTypes: RegistryDeviceType[];
  applications: RegistryApplication[];
  /** Only an operator sees the forms and the buttons that change registrations. */
  operator: boolean;
}

export function appsRegion({ deviceTypes, applications, operator }: Catalogue): Region {
  const known = new Set(deviceTypes.map((t) => t.id));
  const groups: Array<[title: Html, apps: RegistryApplication[]]> = deviceTypes.map((t) => [
    html`${t.name} <code>${t.id}</code>`,
    applications.filter((a) => a.devicetypes.includes(t.id)),
  ]);
  const unknownTypes = [...new Set(applications.flatMap((a) => a.devicetypes).filter((t) => !known.has(t)))].sort();
  for (const t of unknownTypes)
    groups.push([
      html`<code>${t}</code> <span class="flag">not in the device registry</span>`,
      applications.filter((a) => a.devicetypes.includes(t)),
    ]);
  const none = applications.filter((a) => a.devicetypes.length === 0);
  if (none.length > 0) groups.push([html`No device type`, none]);
  return {
    id: "apps",
    body: html`<p>${applications.length} registration${applications.length === 1 ? "" : "s"}.</p>${groups.map(
      ([title, apps]) =>
        html`<section class="app-group"><h3>${title}</h3>${apps.length === 0 ? html`<p class="empty">No applications registered.</p>` : table(apps, operator)}</section>`,
    )}`,
  };
}

function table(apps: RegistryApplication[], operator: boolean): Html {
  return html`<table class="apps"><thead><tr><th>Name</th><th>Version</th><th>Developer</th><th>Platform</th><th>Category</th><th>Status</th>${operator ? html`<th>Actions</th>` : ""}</tr></thead>
<tbody>${apps.map((a) => {
    const path = `/applications/${encodeURIComponent(a.id)}`;
    return html`<tr><td class="app-name">${a.name}</td><td>${a.version}</td><td>${a.developer}</td><td>${a.platform ?? ""}</td><td>${a.category ?? ""}</td><td>${a.status}</td>
${
  operator
    ? html`<td class="actions"><button type="button" hx-get="${path}/edit" hx-target="#editor">Edit</button>
<button type="button" hx-post="${path}/regenerate-key" hx-swap="none" hx-confirm="Issue a new API key for this application? The old key stops working.">New key</button>
<button type="button" hx-delete="${path}" hx-swap="none" hx-confirm="Delete this registration?">Delete</button></td>`
    : ""
}</tr>`;
  })}</tbody></table>`;
}

/** The notice area: outcomes of the last action, including an api key shown this once. */
export const noticeRegion = (body: Html | string = ""): Region => ({
  id: "notice",
  body: typeof body === "string" ? html`${body}` : body,
});

export const keyNotice = (what: string, name: string, key: string, webhookSecret?: string): Html =>
  html`<div class="key-notice"><p>${what} <strong>${name}</strong>. Its API key is shown this once; store it now:</p><p><code class="api-key">${key}</code></p>${
    webhookSecret
      ? html`<p>Its webhook signing secret, also shown once:</p><p><code class="webhook-secret">${webhookSecret}</code></p>`
      : ""
  }</div>`;

export const errorNotice = (message: string): Html => html`<p class="error">${message}</p>`;

export function applicationsPage(catalogue: Catalogue | { error: string }): Html {
  const body =
    "error" in catalogue
      ? html`${region(noticeRegion(errorNotice(catalogue.error)))}`
      : catalogue.operator
        ? html`${region(noticeRegion())}
<section><h2>Register an application</h2>${region({ id: "register-form", body: appForm({ values: EMPTY_FORM, errors: {}, deviceTypes: catalogue.deviceTypes }) })}</section>
<section><h2>Edit</h2>${region({ id: "editor", body: html`<p class="empty">Choose Edit on a registration.</p>` })}</section>
<section><h2>Registrations by device type</h2>${region(appsRegion(catalogue))}</section>`
        : html`${region(noticeRegion(html`<p class="empty">Read-only. <a href="/login?next=/applications">Log in as an operator</a> to register or change applications.</p>`))}
<section><h2>Registrations by device type</h2>${region(appsRegion(catalogue))}</section>`;
  return page({ title: "Applications", section: "applications", body: html`<h1>Applications</h1>${body}` });
}
