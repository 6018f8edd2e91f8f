/** The Alarms page, the header's counts, a device's alarms, and the acknowledge form. Every alarm string is escaped by `html`. */
import { eventTimeMs, formatUtc } from "../time";
import { html, type Html } from "../views/html";
import { page } from "../views/layout";
import type { AlarmFilter, AlarmView, Counts } from "./alarms-client";

export const SEVERITIES = ["critical", "major", "minor", "warning"];

const when = (t: string) => html`<time datetime="${t}">${formatUtc(eventTimeMs(t)) ?? t}</time>`;
const sev = (s: string) => html`<span class="severity sev-${SEVERITIES.includes(s) ? s : "unknown"}">${s}</span>`;

export const unavailable = (why: string) => html`<p class="error">Alarms unavailable: ${why}</p>`;

export function countsBadge(c: Counts | undefined): Html {
  if (!c) return html`<span class="dim">alarms: ?</span>`;
  return html`${SEVERITIES.map((s) => html`<span class="count sev-${s}" title="${s}">${s} ${c[s] ?? 0}</span> `)}`;
}

export function alarmTable(alarms: AlarmView[], opts: { device?: boolean } = {}): Html {
  if (alarms.length === 0) return html`<p class="empty">No active alarms.</p>`;
  return html`<table class="alarms"><thead><tr><th>Severity</th>${opts.device ? "" : html`<th>Device</th>`}<th>Rule</th><th>Message</th><th>Raised</th><th>Acknowledged</th><th></th></tr></thead>
<tbody>${alarms.map(
    (
      a,
    ) => html`<tr id="alarm-${a.id}"><td>${sev(a.severity)}</td>${opts.device ? "" : html`<td><a href="/devices/${encodeURIComponent(a.device_id)}"><code>${a.device_id}</code></a> <span class="dim">${a.device_type}</span></td>`}
<td>${a.rule_name} <span class="dim">${a.threshold}</span></td><td>${a.message}</td><td>${when(a.raised_at)}</td>
<td>${a.acknowledgement ? html`${a.acknowledgement.by} ${when(a.acknowledgement.at)}${a.acknowledgement.note ? html` <span class="dim">${a.acknowledgement.note}</span>` : ""}` : html`<span class="dim">no</span>`}</td>
<td class="actions">${a.acknowledgement ? "" : html`<button type="button" hx-get="/alarms/${encodeURIComponent(a.id)}/acknowledge" hx-target="#ack-panel">Acknowledge</button>`}</td></tr>`,
  )}</tbody></table><p class="dim">${alarms.length} active</p>`;
}

export function alarmsPage(f: AlarmFilter, body: Html): Html {
  return page({
    title: "Alarms",
    section: "alarms",
    body: html`<h1>Alarms</h1>
<form id="alarm-filter" class="filters" hx-get="/alarms/table" hx-target="#alarm-table" hx-trigger="change, submit">
<label>Device <input name="device_id" value="${f.device_id ?? ""}"></label>
<label>Type <input name="device_type" value="${f.device_type ?? ""}"></label>
<label>Severity <select name="severity"><option value="">any</option>${SEVERITIES.map((s) => html`<option value="${s}"${s === f.severity ? html` selected` : ""}>${s}</option>`)}</select></label>
<button type="submit">Filter</button></form>
<div id="ack-panel"></div>
<div id="alarm-table" hx-get="/alarms/table" hx-include="#alarm-filter" hx-trigger="every 3s" hx-swap="innerMorph">${body}</div>`,
  });
}

export function ackForm(a: AlarmView, error = ""): Html {
  return html`<form class="ack" hx-post="/alarms/${encodeURIComponent(a.id)}/acknowledge" hx-target="#ack-panel">
<h3>Acknowledge ${a.rule_name} on <code>${a.device_id}</code></h3>${error ? html`<p class="error">${error}</p>` : ""}
<label>Who <input name="by" required maxlength="100"></label>
<label>Note <input name="note" maxlength="1000"></label>
<button type="submit">Acknowledge</button></form>`;
}

/** Filled from the alarms service once the page loads, then kept current. */
export const deviceAlarms = (deviceId: string) =>
  html`<section><h2>Alarms</h2><div id="device-alarms" hx-get="/alarms/device/${encodeURIComponent(deviceId)}" hx-trigger="load, every 3s" hx-swap="innerMorph"><p class="dim">Loading…</p></div></section>`;
