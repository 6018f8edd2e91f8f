/** Every device seen, most recent first, filterable by type. */
import type { DashboardConfig } from "../config";
import type { DashboardState } from "../state/dashboard-state";
import { eventTimeMs, formatUtc } from "../time";
import { count } from "./format";
import { html, type Html } from "./html";
import { page, type Region, region } from "./layout";
import { breaker, deviceHref, keyReadings, qualityFlags } from "./readings";

export function devicesRegion(state: DashboardState, config: DashboardConfig, type: string | undefined): Region {
  const { devices, total } = state.devices.list(type, config.limits.devicesShown);
  if (total === 0)
    return {
      id: "devices",
      body: html`<p class="empty">No ${type ? html`<code>${type}</code> ` : ""}devices seen since the dashboard started.</p>`,
    };
  return {
    id: "devices",
    body: html`<p>${total > devices.length ? html`Showing the ${count(devices.length)} most recently seen of ` : ""}${count(total)} device${total === 1 ? "" : "s"}.</p>
<table class="devices"><thead><tr><th>Device</th><th>Type</th><th>Last seen</th><th>Breaker</th><th>Key readings</th><th>Data quality</th></tr></thead>
<tbody>${devices.map(
      (
        d,
      ) => html`<tr><td><a href="${deviceHref(d.id)}"><code>${d.id}</code></a></td><td>${d.typeName || d.type} <code>${d.type}</code></td>
<td><time datetime="${d.lastSeen}">${formatUtc(eventTimeMs(d.lastSeen)) ?? d.lastSeen}</time></td><td>${breaker(d.measurements)}</td>
<td>${keyReadings(d.measurements)}</td><td>${qualityFlags(d.quality)}${d.registryCurrent ? "" : html` <span class="flag">registry data not current</span>`}</td></tr>`,
    )}</tbody></table>`,
  };
}

export function devicesPage(state: DashboardState, config: DashboardConfig, type: string | undefined): Html {
  const types = state.devices.types();
  const filter = html`<form method="get" action="/devices" class="filter"><label>Device type
<select name="type"><option value="">all types</option>${types.map((t) => html`<option value="${t}"${t === type ? html` selected` : ""}>${t}</option>`)}</select></label>
<button type="submit">Filter</button></form>`;
  return page({
    title: "Devices",
    section: "devices",
    live: `/live/devices${type ? `?type=${encodeURIComponent(type)}` : ""}`,
    body: html`<h1>Devices</h1>${filter}${region(devicesRegion(state, config, type))}`,
  });
}
