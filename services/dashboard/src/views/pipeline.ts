/** Broker-side counters: records per topic, consumer lag, the balance check, and rates over time. */
import type { Topics } from "@iot/common/bus-config";
import type { PipelineStore } from "../state/pipeline";
import { formatUtc } from "../time";
import { lineChart } from "./chart";
import { absent, count, perSecond } from "./format";
import { html, type Html } from "./html";
import type { Region } from "./layout";

export function pipelineRegion(store: PipelineStore, topics: Topics): Region {
  const latest = store.latest();
  const error = store.lastError();
  const failure = error
    ? html`<p class="flag">Broker not answering since ${formatUtc(error.at)}: ${error.message}</p>`
    : "";
  if (!latest) return { id: "pipeline", body: html`${failure}<p class="empty">No broker sample yet.</p>` };
  return {
    id: "pipeline",
    body: html`${failure}${balance(store)}
<div class="cols"><table><thead><tr><th>Topic</th><th>Partitions</th><th>Records</th></tr></thead>
<tbody>${latest.topics.map((t) => html`<tr><td><code>${t.topic}</code></td><td>${count(t.partitions)}</td><td>${count(t.records)}</td></tr>`)}</tbody></table>
<table><thead><tr><th>Consumer group</th><th>Topic</th><th>Lag</th></tr></thead>
<tbody>${latest.lag.length > 0 ? latest.lag.map((l) => html`<tr><td><code>${l.groupId}</code></td><td><code>${l.topic}</code></td><td>${count(l.lag)}</td></tr>`) : html`<tr><td colspan="3">${absent("no group has committed offsets")}</td></tr>`}</tbody></table></div>
<p class="sampled">Sampled ${formatUtc(latest.at)} (topics ${topics.raw}, ${topics.enriched}, ${topics.dlq})</p>`,
  };
}

function balance(store: PipelineStore): Html {
  const b = store.balance()!;
  const lag = b.enrichmentLag;
  const verdict = b.balanced
    ? html`<span class="ok">balanced: every raw record is enriched or dead-lettered</span>`
    : lag === undefined
      ? html`<span class="flag">enrichment's group has not consumed yet</span>`
      : html`${lag > 0 ? html`<span class="flag">enrichment lag ${count(lag)}</span>` : ""}${
          b.difference < 0
            ? html`<span class="flag">${count(-b.difference)} more out than in (redelivered duplicates)</span>`
            : b.difference > 0 && lag === 0
              ? html`<span class="flag">${count(b.difference)} raw records neither enriched nor dead-lettered</span>`
              : ""
        }`;
  return html`<dl class="counters">
<div><dt>Raw in</dt><dd>${count(b.raw)}</dd></div>
<div><dt>Enriched out</dt><dd>${count(b.enriched)}</dd></div>
<div><dt>Dead-lettered</dt><dd>${count(b.dlq)}</dd></div>
<div><dt>Balance</dt><dd>${verdict}</dd></div>
</dl>`;
}

export function ratesRegion(store: PipelineStore): Region {
  const rates = store.rates();
  const last = rates.at(-1);
  const why = "needs two broker samples";
  return {
    id: "rates",
    body: html`<p class="now">Now: raw ${perSecond(last?.raw, why)} · enriched ${perSecond(last?.enriched, why)} · dead-lettered ${perSecond(last?.dlq, why)}</p>
${lineChart(
  "Messages per second",
  rates.map((r) => r.t),
  [
    { label: "raw", values: rates.map((r) => r.raw) },
    { label: "enriched", values: rates.map((r) => r.enriched) },
    { label: "dead-lettered", values: rates.map((r) => r.dlq) },
  ],
  "msg/s",
)}`,
  };
}
