/** The live feed: newest first, one row per record, details fetched when a row is opened. */
import type { EnrichedEvent } from "@iot/common/telemetry";
import { FEED_TABS, type FeedEntry, type FeedStore, type FeedTab } from "../state/feed";
import { eventTimeMs, formatUtc } from "../time";
import { absent, count } from "./format";
import { html, type Html } from "./html";
import type { Region } from "./layout";
import { deviceHref, keyReadings, qualityFlags } from "./readings";

const TAB_LABELS: Record<FeedTab, string> = { raw: "Raw", enriched: "Enriched", trends: "Trends" };

export const feedTabs = (current: FeedTab): Html =>
  html`<nav class="tabs" aria-label="Feed">${FEED_TABS.map(
    (t) => html`<a href="/?tab=${t}"${t === current ? html` aria-current="page"` : ""}>${TAB_LABELS[t]}</a>`,
  )}</nav>`;

export function feedRegion(feed: FeedStore, tab: FeedTab, limit: number): Region {
  const entries = feed.newest(tab, limit);
  return {
    id: "feed",
    body:
      entries.length === 0
        ? html`<p class="empty">No ${tab} records since the dashboard started.</p>`
        : html`<ol class="feed">${entries.map(row)}</ol>`,
  };
}

function row(e: FeedEntry): Html {
  // The detail body is filled on first open and left alone by later morphs (hx-morph-skip-children).
  return html`<li id="f-${e.seq}"><details hx-get="/feed/${e.seq}" hx-trigger="toggle once" hx-target="find .detail">
<summary>${summary(e)}</summary><div class="detail" hx-morph-skip-children><p class="empty">Loading…</p></div></details></li>`;
}

function summary(e: FeedEntry): Html {
  const where = html`<span class="pos">${e.topic}/${e.partition}@${e.offset}</span>`;
  if (!e.event) {
    return html`<span class="flag">not decodable (${e.problem.reason})</span> key <code>${e.key ?? "none"}</code> ${where} <span class="msg">${e.problem.message}</span>`;
  }
  const ev = e.event;
  const when = formatUtc(eventTimeMs(ev.timestamp)) ?? ev.timestamp;
  const device =
    e.tab === "raw"
      ? html`<code>${ev.device_id}</code>`
      : html`<a href="${deviceHref(ev.device_id)}"><code>${ev.device_id}</code></a>`;
  const what =
    ev.event_type === "trends"
      ? html`${count(ev.trends.length)} trend metrics, window from ${formatUtc(Math.min(...ev.trends.map((p) => p.t)) * 1000) ?? absent("no window")}`
      : keyReadings(ev.measurements);
  const enriched = "device_metadata" in ev ? enrichedBits(ev) : "";
  return html`<time datetime="${ev.timestamp}">${when}</time> ${device} <span class="type">${ev.device_type}</span> <span class="etype">${ev.event_type}</span> ${what}${enriched} ${where}`;
}

function enrichedBits(ev: EnrichedEvent): Html {
  const apps = ev.application_registry.registered_applications_count;
  const current = ev.enrichment_info.app_registry_integration;
  const names = ev.application_registry.applications.map((a) => a.name).join(", ");
  return html` <span class="apps" title="${names}">${count(apps)} app${apps === 1 ? "" : "s"}${apps > 0 ? html`: ${names}` : ""}</span>${current ? "" : html` <span class="flag">registry data not current</span>`}${
    ev.event_type === "telemetry" ? html` ${qualityFlags(ev.data_quality)}` : ""
  }`;
}

/** The whole record as decoded (JSON or protobuf alike), for the opened row. */
export function feedDetail(e: FeedEntry | undefined): Html {
  if (!e) return html`<p class="empty">This record is no longer in the dashboard's recent buffer.</p>`;
  const received = formatUtc(e.timestamp);
  const head = html`<p>Topic <code>${e.topic}</code>, partition ${e.partition}, offset ${e.offset}, key <code>${e.key ?? "none"}</code>, broker time ${received ?? absent()}</p>`;
  if (!e.event) return html`${head}<p>${e.problem.reason}: ${e.problem.message}</p>`;
  return html`${head}<pre>${JSON.stringify(e.event, null, 2)}</pre>`;
}
