/**
 * The page shell. Scripts are files from this server (the CSP allows nothing else), loaded in order
 * without `defer`: deferred, htmx can start before its SSE extension is registered and the live
 * connection silently never opens. That connection is a hidden element whose SSE messages carry only
 * <hx-partial> updates for regions.
 */
import { html, type Html, type Renderable } from "./html";

export type Section =
  | "overview"
  | "devices"
  | "device-registry"
  | "applications"
  | "deliveries"
  | "dead-letters"
  | "alarms"
  | "operator"
  | "none";

const NAV: Array<[Section, string, string]> = [
  ["overview", "/", "Overview"],
  ["devices", "/devices", "Devices"],
  ["device-registry", "/admin/devices", "Provisioning"],
  ["applications", "/applications", "Applications"],
  ["deliveries", "/deliveries", "Deliveries"],
  ["dead-letters", "/dead-letters", "Dead letters"],
  ["alarms", "/alarms", "Alarms"],
  ["operator", "/login", "Operator"],
];

// Morphing keeps an opened <details> open while its list is refreshed.
const HTMX_CONFIG = '{"morphIgnore":["data-htmx-powered","open"],"includeIndicatorCSS":false}';

export interface Region {
  id: string;
  body: Html;
  /** How a live update replaces it; morphing (the default) keeps open details and focus. */
  swap?: "innerMorph" | "innerHTML";
}

/** A region as first rendered in the page. */
export const region = (r: Region, tag = "div"): Html => html`<${tag} id="${r.id}">${r.body}</${tag}>`;

/** The same region as an update, in a live message or in the answer to a form. */
export const partial = (r: Region): Html =>
  html`<hx-partial hx-target="#${r.id}" hx-swap="${r.swap ?? "innerMorph"}">${r.body}</hx-partial>`;

export function page(opts: { title: string; section: Section; live?: string; body: Renderable }): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${opts.title} · IoT dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/htmx.min.js"></script>
<script src="/assets/hx-sse.js"></script>
</head>
<body>
<header><nav>${NAV.map(([s, href, label]) => html`<a href="${href}"${s === opts.section ? html` aria-current="page"` : ""}>${label}</a>`)}</nav>
<a class="alarm-counts" href="/alarms" hx-get="/alarms/counts" hx-trigger="load, every 5s">alarms</a>
<p class="zone">All times UTC</p></header>
<main>${opts.body}</main>
${opts.live ? html`<div hidden hx-sse:connect="${opts.live}"></div>` : ""}
</body>
</html>`;
}
