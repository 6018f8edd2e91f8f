/** Recent dead letters: why, from where, when, and what the bytes looked like. */
import type { DeadLetter, DeadLetterStore } from "../state/dead-letters";
import { eventTimeMs, formatUtc } from "../time";
import { absent, count } from "./format";
import { html, type Html } from "./html";
import { page, type Region, region } from "./layout";

export function deadLettersRegion(store: DeadLetterStore): Region {
  const letters = store.newest();
  const counts = store.counts();
  if (letters.length === 0)
    return { id: "dead-letters", body: html`<p class="empty">No dead letters since the dashboard started.</p>` };
  return {
    id: "dead-letters",
    body: html`<p>Since the dashboard started: ${counts.map(([reason, n]) => html`<span class="figure"><code>${reason}</code> ${count(n)}</span> `)}</p>
<table class="dead-letters"><thead><tr><th>Rejected</th><th>Reason</th><th>Source</th><th>Key</th><th>Preview</th></tr></thead>
<tbody>${letters.map(row)}</tbody></table>`,
  };
}

function row(d: DeadLetter): Html {
  const when = d.time !== undefined ? (formatUtc(eventTimeMs(d.time)) ?? d.time) : absent("no dlq-time header");
  const source =
    d.source?.topic !== undefined
      ? html`<code>${d.source.topic}</code>/${d.source.partition ?? "?"}@${d.source.offset ?? "?"}`
      : absent("no source headers");
  return html`<tr><td>${when}<br><span class="pos">${d.position.topic}/${d.position.partition}@${d.position.offset}</span></td>
<td><code>${d.reason ?? "unknown"}</code><br><span class="msg">${d.error ?? ""}</span></td><td>${source}</td><td><code>${d.key ?? "none"}</code></td>
<td><code class="preview ${d.preview.kind}">${d.preview.text}${d.preview.truncated ? "…" : ""}</code><br><span class="dim">${count(d.size)} bytes${d.preview.kind === "hex" ? ", hex" : ""}</span></td></tr>`;
}

export function deadLettersPage(store: DeadLetterStore): Html {
  return page({
    title: "Dead letters",
    section: "dead-letters",
    live: "/live/dead-letters",
    body: html`<h1>Dead letters</h1><p class="dim">Records enrichment could not use, kept on the dead-letter topic with their original bytes.</p>${region(deadLettersRegion(store))}`,
  });
}
