/** Per-application delivery: channel, counts, retries, parked records, last error and lag; test and resume buttons. */
import type { DeliveryStatus } from "../delivery/client";
import { formatUtc } from "../time";
import { count } from "./format";
import { html, type Html } from "./html";
import { page, region } from "./layout";

const STATE_CLASS: Record<string, string> = { ok: "ok", retrying: "flag", failing: "error" };

/** `operator`: only an operator sees the buttons (the actions are refused to anyone else). */
export function deliveriesTable(rows: DeliveryStatus[], operator: boolean): Html {
  if (rows.length === 0)
    return html`<p class="empty">No application is receiving data (register one with a webhook URL, or open a stream with its api key).</p>`;
  return html`<table class="deliveries"><thead><tr><th>Application</th><th>Channel</th><th>State</th><th>Delivered</th><th>Retrying</th><th>Parked</th><th>Lag</th><th>Streams</th><th>Last error</th>${operator ? html`<th>Actions</th>` : ""}</tr></thead>
<tbody>${rows.map((d) => {
    const path = `/deliveries/${encodeURIComponent(d.app_id)}`;
    return html`<tr><td class="app-name">${d.app_name}</td><td>${d.channel}</td><td class="${STATE_CLASS[d.state] ?? ""}">${d.state}</td>
<td>${count(d.delivered)}</td><td>${count(d.retrying)}</td><td>${count(d.parked)}</td><td>${count(d.lag)}</td><td>${count(d.connections)}</td>
<td>${d.last_error ? html`${d.last_error}${d.last_error_at ? html` <small>(${formatUtc(Date.parse(d.last_error_at))})</small>` : ""}` : "—"}</td>
${
  operator
    ? html`<td class="actions">${
        d.channel === "webhook"
          ? html`<button type="button" hx-post="${path}/test-event" hx-target="#delivery-notice" hx-swap="innerHTML">Send test event</button>${
              d.state === "failing"
                ? html` <button type="button" hx-post="${path}/resume" hx-target="#delivery-notice" hx-swap="innerHTML">Resume</button>`
                : ""
            }`
          : ""
      }</td>`
    : ""
}</tr>`;
  })}</tbody></table>`;
}

export function deliveriesPage(rows: DeliveryStatus[] | { error: string }, operator: boolean): Html {
  const body = "error" in rows ? html`<p class="error">${rows.error}</p>` : deliveriesTable(rows, operator);
  const notice = operator
    ? html``
    : html`<p class="empty">Read-only. <a href="/login?next=/deliveries">Log in as an operator</a> to send test events or resume deliveries.</p>`;
  return page({
    title: "Deliveries",
    section: "deliveries",
    body: html`<h1>Deliveries</h1>${region({ id: "delivery-notice", body: notice })}
<section hx-get="/deliveries/table" hx-trigger="every 5s" hx-target="#delivery-table" hx-swap="innerHTML"><h2>Per application</h2>${region({ id: "delivery-table", body })}</section>`,
  });
}
