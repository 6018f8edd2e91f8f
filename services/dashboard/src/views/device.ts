/**
 * One device: its stored history for a range, live charts of its measurement groups, its latest
 * readings and its latest trends. The page's live stream is for that range, so it can carry the
 * history charts' new points too.
 */
import type { RangeName } from "../history/ranges";
import type { DeviceState } from "../state/devices";
import { unitOf } from "../state/readings";
import { eventTimeMs, formatUtc } from "../time";
import { deviceAlarms } from "../alarms/alarm-views";
import { type ChartLine, type ChartMark, lineChart } from "./chart";
import { absent, count, num } from "./format";
import { html, type Html } from "./html";
import { page, type Region, region } from "./layout";
import { historySlot } from "./history";
import { breaker, deviceHref, qualityFlags } from "./readings";

/** A component this many times smaller than its group's largest gets its own chart (power factor next to watts). */
const SCALE_SPLIT = 20;

/** An alarm rule's thresholds for a measurement group of a device type, marked on its chart. */
export type Marks = (deviceType: string, group: string) => ChartMark[];

export function deviceRegions(d: DeviceState, marks?: Marks): Region[] {
  return [
    { id: "device-summary", body: summary(d) },
    { id: "device-charts", body: charts(d, marks) },
    { id: "device-trends", body: trends(d) },
  ];
}

export function devicePage(d: DeviceState, range: RangeName, marks?: Marks): Html {
  const [s, c, t] = deviceRegions(d, marks).map((r) => region(r));
  return page({
    title: `Device ${d.id}`,
    section: "devices",
    live: `/live${deviceHref(d.id)}?range=${range}`,
    body: html`<h1>Device <code>${d.id}</code></h1>${s}${deviceAlarms(d.id)}<section><h2>History</h2>${historySlot(d.id, range)}</section><section><h2>Live charts</h2>${c}</section><section><h2>Latest trends</h2>${t}</section>`,
  });
}

function summary(d: DeviceState): Html {
  const apps =
    d.applications.length > 0
      ? d.applications.map(
          (a) => html`<li>${a.name} <span class="dim">${a.developer} · ${a.platform} · ${a.status}</span></li>`,
        )
      : html`<li>${absent("none registered for this type")}</li>`;
  return html`<dl class="facts">
<div><dt>Type</dt><dd>${d.typeName || d.type} <code>${d.type}</code></dd></div>
<div><dt>Last seen</dt><dd><time datetime="${d.lastSeen}">${formatUtc(eventTimeMs(d.lastSeen)) ?? d.lastSeen}</time></dd></div>
<div><dt>Breaker</dt><dd>${breaker(d.measurements)}</dd></div>
<div><dt>Data quality</dt><dd>${qualityFlags(d.quality)}</dd></div>
<div><dt>Applications</dt><dd><ul class="apps">${apps}</ul>${d.registryCurrent ? "" : html`<span class="flag">registry data not current</span>`}</dd></div>
</dl>`;
}

function charts(d: DeviceState, marks?: Marks): Html {
  const times = d.series.times();
  const groups = new Map<string, string[]>();
  for (const f of d.series.fields()) {
    const group = f.slice(0, f.indexOf("."));
    groups.set(group, [...(groups.get(group) ?? []), f]);
  }
  if (groups.size === 0) return html`<p class="empty">No telemetry from this device yet.</p>`;
  const out: Html[] = [];
  for (const [group, fields] of groups) {
    const lines: ChartLine[] = fields.map((f) => ({ label: f.slice(group.length + 1), values: d.series.column(f) }));
    const scale = (l: ChartLine) => Math.max(0, ...l.values.map((v) => Math.abs(v ?? 0)));
    const top = Math.max(...lines.map(scale));
    const small = lines.filter((l) => scale(l) * SCALE_SPLIT < top);
    const unit = unitOf(d.measurements?.[group]);
    const marked = marks?.(d.type, group) ?? [];
    const on = (ls: ChartLine[]) => marked.filter((m) => ls.some((l) => m.label.startsWith(`${l.label} `)));
    const big = lines.filter((l) => !small.includes(l));
    out.push(lineChart(group, times, big, unit, on(big)));
    for (const l of small) out.push(lineChart(`${group} · ${l.label}`, times, [l], "", on([l])));
  }
  return html`<div class="charts">${out}</div>`;
}

function trends(d: DeviceState): Html {
  if (d.trends.size === 0) return html`<p class="empty">No trends from this device yet.</p>`;
  const points = d.trends.points().sort((a, b) => a.c.localeCompare(b.c));
  return html`<table class="trends"><thead><tr><th>Metric</th><th>Last</th><th>Average</th><th>Min</th><th>Max</th><th>Window from</th></tr></thead>
<tbody>${points.map(
    (p) =>
      html`<tr><td><code>${p.c}</code></td><td>${num(p.v)}</td><td>${num(p.avg)}</td><td>${num(p.min)}</td><td>${num(p.max)}</td><td>${formatUtc(p.t * 1000) ?? absent()}</td></tr>`,
  )}</tbody></table><p class="dim">${count(points.length)} metrics</p>`;
}

export function unknownDevicePage(id: string, range: RangeName): Html {
  return page({
    title: "Unknown device",
    section: "devices",
    body: html`<h1>Device <code>${id}</code></h1><p class="empty">Not seen since the dashboard started, or no longer among the devices it keeps.</p><section><h2>History</h2>${historySlot(id, range)}</section><p><a href="/devices">All devices</a></p>`,
  });
}
