/**
 * The ingest gateway as its own /metrics says: devices connected now, connections and acknowledged
 * messages per transport, and every refusal by transport and reason (what a device did wrong, or
 * what the gateway could not take). Read from the service probe; nothing here is computed.
 */
import type { ServiceStore } from "../state/services";
import { absent, count } from "./format";
import { html } from "./html";
import type { Region } from "./layout";

const TRANSPORTS = ["mqtt", "http", "mqtt-bridge"] as const;

/** `name{a="x",b="y"}` → { a: "x", b: "y" } for the series of `name`. */
function series(metrics: Map<string, number>, name: string): Array<[Record<string, string>, number]> {
  const out: Array<[Record<string, string>, number]> = [];
  for (const [key, value] of metrics) {
    if (!key.startsWith(`${name}{`)) continue;
    const labels = Object.fromEntries(
      [...key.slice(name.length + 1, -1).matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
    );
    out.push([labels, value]);
  }
  return out;
}

export function ingestRegion(store: ServiceStore): Region {
  const metrics = store.get("ingest")?.metrics;
  if (!metrics)
    return { id: "ingest", body: html`<p>${absent("ingest has not answered a probe")} ingest not reachable</p>` };
  const sum = (name: string, transport: string) =>
    series(metrics, name).reduce((n, [l, v]) => (l.transport === transport ? n + v : n), 0);
  const refused = series(metrics, "ingest_refused_total")
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1]);
  return {
    id: "ingest",
    body: html`<dl class="figures"><dt>Devices connected (MQTT)</dt><dd>${count(metrics.get("ingest_connected_devices"))}</dd></dl>
<table class="ingest"><thead><tr><th>Transport</th><th>Connections</th><th>Messages acked</th><th>Refused</th></tr></thead>
<tbody>${TRANSPORTS.map((t) => html`<tr><th scope="row">${t}</th><td>${count(sum("ingest_connects_total", t))}</td><td>${count(sum("ingest_messages_total", t))}</td><td>${count(sum("ingest_refused_total", t))}</td></tr>`)}</tbody></table>
${
  refused.length === 0
    ? html`<p>Nothing refused.</p>`
    : html`<table class="refusals"><thead><tr><th>Refused</th><th>Transport</th><th>Count</th></tr></thead>
<tbody>${refused.map(([l, v]) => html`<tr><td>${(l.reason ?? "").replaceAll("_", " ")}</td><td>${l.transport ?? ""}</td><td>${count(v)}</td></tr>`)}</tbody></table>`
}`,
  };
}
