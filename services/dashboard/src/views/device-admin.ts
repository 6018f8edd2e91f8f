/**
 * The device registry's admin page: provisioned devices (with when the live stream last saw each),
 * a provision form, a CSV import, and per-device enable/disable, new token, delete. A token appears
 * only in the notice answering the action that issued it.
 */
import type { RegistryDeviceType } from "../registry/client";
import type { DeviceFilter, ImportSummary, RegistryDevice } from "../registry/device-client";
import { eventTimeMs, formatUtc } from "../time";
import type { FieldErrors } from "./app-form";
import { deviceForm, type DeviceFormValues, EMPTY_DEVICE_FORM } from "./device-form";
import { absent, count } from "./format";
import { html, type Html } from "./html";
import { page, type Region, region } from "./layout";
import { deviceHref } from "./readings";

export interface IngestEndpoints {
  host: string;
  mqttPort: number;
  httpPort: number;
}

export interface DeviceListing {
  devices: RegistryDevice[];
  total: number;
  filter: DeviceFilter;
  /** When the live stream last saw a device (the device's clock), if it has. */
  lastSeen: (id: string) => string | undefined;
}

export const DEVICES_LISTED = 200;

const labelsOf = (labels: Record<string, string>) =>
  Object.entries(labels).map(([k, v]) => html`<span class="figure"><code>${k}=${v}</code></span>`);

export function deviceListRegion({ devices, total, filter, lastSeen }: DeviceListing): Region {
  const filtered = Boolean(filter.type || filter.status || filter.search);
  if (total === 0)
    return {
      id: "device-list",
      body: html`<p class="empty">${filtered ? "No provisioned device matches." : "No devices provisioned yet."}</p>`,
    };
  return {
    id: "device-list",
    body: html`<p>${total > devices.length ? html`Showing the first ${count(devices.length)} of ` : ""}${count(total)} device${total === 1 ? "" : "s"}.</p>
<table class="apps device-registry"><thead><tr><th>Device</th><th>Name</th><th>Type</th><th>Status</th><th>Labels</th><th>Last seen</th><th>Actions</th></tr></thead>
<tbody>${devices.map((d) => {
      const path = `/admin/devices/${encodeURIComponent(d.device_id)}`;
      const seen = lastSeen(d.device_id);
      const next = d.status === "enabled" ? "disabled" : "enabled";
      return html`<tr><td>${seen ? html`<a href="${deviceHref(d.device_id)}"><code>${d.device_id}</code></a>` : html`<code>${d.device_id}</code>`}</td><td>${d.name}</td><td><code>${d.device_type}</code></td>
<td class="${d.status === "enabled" ? "ok" : "flag"}">${d.status}</td><td>${labelsOf(d.labels)}</td>
<td>${seen ? html`<time datetime="${seen}">${formatUtc(eventTimeMs(seen)) ?? seen}</time>` : absent("not seen since the dashboard started")}</td>
<td class="actions"><button type="button" hx-patch="${path}/status?to=${next}" hx-swap="none">${d.status === "enabled" ? "Disable" : "Enable"}</button>
<button type="button" hx-post="${path}/regenerate-token" hx-swap="none" hx-confirm="Issue a new token for ${d.device_id}? The old one stops working within a second.">New token</button>
<button type="button" hx-delete="${path}" hx-swap="none" hx-confirm="Delete device ${d.device_id}?">Delete</button></td></tr>`;
    })}</tbody></table>`,
  };
}

const sampleTelemetry = (id: string, type: string) =>
  JSON.stringify({
    device_id: id,
    device_type: type,
    timestamp: `${new Date().toISOString().slice(0, 23)}000Z`,
    event_type: "telemetry",
    measurements: {},
  });

/** A token shown this once, with the two ways a device can use it. */
export function tokenNotice(
  what: string,
  device: { device_id: string; device_type: string },
  token: string,
  ingest: IngestEndpoints,
): Html {
  const id = device.device_id;
  const body = sampleTelemetry(id, device.device_type);
  const mqtt = `mosquitto_pub -h ${ingest.host} -p ${ingest.mqttPort} -u '${id}' -P '${token}' -t 'devices/${id}/telemetry' -m '${body}'`;
  const curl = `curl -X POST 'http://${ingest.host}:${ingest.httpPort}/api/v1/devices/${encodeURIComponent(id)}/telemetry' -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' -d '${body}'`;
  return html`<div class="key-notice token-notice"><p>${what} <strong><code>${id}</code></strong>. Its token is shown this once; store it now:</p>
<p><code class="api-key device-token">${token}</code></p>
<p>MQTT:</p><pre><code class="api-key">${mqtt}</code></pre>
<p>HTTP:</p><pre><code class="api-key">${curl}</code></pre></div>`;
}

export function importNotice(s: ImportSummary): Html {
  return html`<div class="key-notice"><p>Import: ${count(s.created)} created, ${count(s.unchanged)} unchanged, ${count(s.error)} failed.</p>
${s.errors.length > 0 ? html`<details open><summary>Rows that failed</summary><ul>${s.errors.slice(0, 100).map((e) => html`<li><code>${e.device_id || "?"}</code>: ${e.error}</li>`)}</ul>${s.errors.length > 100 ? html`<p>… and ${count(s.errors.length - 100)} more.</p>` : ""}</details>` : ""}
${
  s.tokens.length > 0
    ? html`<p>Tokens of the created devices, shown this once (device_id,token):</p><textarea class="api-key" readonly rows="${Math.min(10, s.tokens.length + 1)}">device_id,token
${s.tokens.map((t) => `${t.device_id},${t.token}\n`)}</textarea>`
    : ""
}</div>`;
}

const importForm = html`<form class="app-form" hx-post="/admin/devices/import" hx-encoding="multipart/form-data" hx-swap="none">
<label>CSV file <small>header: device_id,device_type[,name,labels,status]; labels as key=value;key=value</small><input type="file" name="file" accept=".csv,text/csv" required></label>
<button type="submit">Import</button></form>`;

function filterForm(filter: DeviceFilter, deviceTypes: RegistryDeviceType[]): Html {
  return html`<form method="get" action="/admin/devices" class="filter">
<label>Type<select name="type"><option value="">all types</option>${deviceTypes.map((t) => html`<option value="${t.id}"${t.id === filter.type ? html` selected` : ""}>${t.id}</option>`)}</select></label>
<label>Status<select name="status"><option value="">any</option>${["enabled", "disabled"].map((s) => html`<option value="${s}"${s === filter.status ? html` selected` : ""}>${s}</option>`)}</select></label>
<label>Search<input name="search" value="${filter.search ?? ""}" maxlength="128"></label>
<button type="submit">Filter</button></form>`;
}

export const provisionFormRegion = (
  values: DeviceFormValues,
  errors: FieldErrors,
  deviceTypes: RegistryDeviceType[],
): Region => ({
  id: "provision-form",
  body: deviceForm({ values, errors, deviceTypes }),
  swap: "innerHTML",
});

/** The page when the registry cannot be used: the reason, nothing else to act on. */
export const deviceAdminErrorPage = (message: string): Html =>
  page({
    title: "Provisioning",
    section: "device-registry",
    body: html`<h1>Provisioned devices</h1><div id="notice"><p class="error">${message}</p></div>`,
  });

export function deviceAdminPage(listing: DeviceListing, deviceTypes: RegistryDeviceType[]): Html {
  return page({
    title: "Provisioning",
    section: "device-registry",
    body: html`<h1>Provisioned devices</h1>${region({ id: "notice", body: html`` })}
<section><h2>Provision a device</h2>${region(provisionFormRegion(EMPTY_DEVICE_FORM, {}, deviceTypes))}</section>
<section><h2>Import from CSV</h2>${importForm}</section>
<section><h2>Devices</h2>${filterForm(listing.filter, deviceTypes)}${region(deviceListRegion(listing))}</section>`,
  });
}
