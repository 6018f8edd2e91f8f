/** Each service's state as it reported it: /readyz verdict and checks, and a few of its own counters. */
import type { ServiceEndpoint } from "../config";
import { metricTotal, type ServiceStore } from "../state/services";
import { formatUtc } from "../time";
import { absent, count } from "./format";
import { html, type Html } from "./html";
import type { Region } from "./layout";

/** The counters worth a glance, by service; a service that does not report one shows it absent. */
const FIGURES: Record<string, Array<[metric: string, label: string]>> = {
  "app-registry": [["app_registry_http_requests_total", "REST requests"]],
  simulator: [["simulator_published_total", "published"]],
  ingest: [
    ["ingest_connected_devices", "devices connected"],
    ["ingest_messages_total", "messages"],
    ["ingest_refused_total", "refused"],
  ],
  enrichment: [
    ["enrichment_consumed_total", "consumed"],
    ["enrichment_enriched_total", "enriched"],
    ["enrichment_dead_lettered_total", "dead-lettered"],
  ],
};

const STATE_LABEL = { ready: "ready", not_ready: "not ready", unreachable: "unreachable" } as const;

export function servicesRegion(endpoints: ServiceEndpoint[], store: ServiceStore): Region {
  return {
    id: "services",
    body: html`<table class="services"><thead><tr><th>Service</th><th>State</th><th>Checks</th><th>Counters</th><th>Probed</th></tr></thead>
<tbody>${endpoints.map((e) => row(e, store))}</tbody></table>`,
  };
}

function row(e: ServiceEndpoint, store: ServiceStore): Html {
  const s = store.get(e.name);
  if (!s)
    return html`<tr><th scope="row">${e.name}</th><td colspan="4">${absent("not probed yet")} <span class="url">${e.url}</span></td></tr>`;
  const checks = s.checks
    ? Object.entries(s.checks).map(([k, ok]) => html`<span class="${ok ? "ok" : "flag"}">${k}</span> `)
    : absent("no checks reported");
  const figures = (FIGURES[e.name] ?? []).map(
    ([metric, label]) => html`<span class="figure">${label} ${count(metricTotal(s.metrics, metric))}</span> `,
  );
  return html`<tr><th scope="row">${e.name}<br><span class="url">${e.url}</span></th>
<td><span class="state ${s.state}">${STATE_LABEL[s.state]}</span>${s.error ? html`<br><span class="msg">${s.error}</span>` : ""}</td>
<td>${checks}</td><td>${figures.length > 0 ? figures : absent("no counters known for this service")}</td><td>${formatUtc(s.at)}</td></tr>`;
}
