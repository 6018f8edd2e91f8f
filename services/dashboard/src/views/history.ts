/**
 * A device's stored history: a range picker, one chart per measurement group read from the history
 * service (avg per component; a lone component also gets its min and max, so spikes stay visible),
 * the live tail the dashboard holds appended after the last stored point, and the device's own
 * 5-minute trend windows. The section reloads itself, so the tail keeps moving.
 */
import type { HistorySeries } from "../history/client";
import type { Series } from "../state/series";
import { type ChartLine, lineChart } from "./chart";
import { html, type Html } from "./html";

export const RANGES = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
} as const;
export type RangeName = keyof typeof RANGES;
export const isRange = (v: unknown): v is RangeName => typeof v === "string" && Object.hasOwn(RANGES, v);
const REFRESH = "every 10s";

export interface HistoryView {
  id: string;
  range: RangeName;
  series?: HistorySeries;
  trends?: HistorySeries;
  /** The dashboard's in-memory recent points (from the live stream), if it holds the device. */
  tail?: Series;
  /** Why there is nothing to show. */
  problem?: string;
}

const href = (id: string, range: RangeName) => `/devices/${encodeURIComponent(id)}/history?range=${range}`;

/** The section as first rendered in a device page, before its content loads. */
export const historySlot = (id: string): Html =>
  html`<div id="device-history" hx-get="${href(id, "1h")}" hx-trigger="load" hx-swap="outerHTML"><p class="empty">Loading history…</p></div>`;

export function historySection(v: HistoryView): Html {
  const picker = html`<nav class="ranges">${Object.keys(RANGES).map(
    (r) =>
      html`<button type="button" hx-get="${href(v.id, r as RangeName)}" hx-target="#device-history" hx-swap="outerHTML"${r === v.range ? html` aria-current="true"` : ""}>${r}</button>`,
  )}</nav>`;
  const body = v.problem ? html`<p class="empty">${v.problem}</p>` : html`${charts(v)}${trendCharts(v)}`;
  return html`<div id="device-history" hx-get="${href(v.id, v.range)}" hx-trigger="${REFRESH}" hx-swap="outerHTML">${picker}
<p class="dim">${v.series ? html`Stored ${v.series.level === "raw" ? "points" : `${v.series.level} roll-ups`}, one point per ${Math.round(v.series.width_ms / 1000)} s` : ""}</p>${body}</div>`;
}

function groupsOf(series: HistorySeries["series"]) {
  const groups = new Map<string, HistorySeries["series"]>();
  for (const s of series) {
    const g = s.metric.split(".")[0]!;
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  return groups;
}

function charts(v: HistoryView): Html {
  const stored = v.series?.series ?? [];
  if (stored.every((s) => s.points.length === 0))
    return html`<p class="empty">Nothing stored for this device in the last ${v.range}.</p>`;
  const out: Html[] = [];
  for (const [group, list] of groupsOf(stored)) {
    const lastStored = Math.max(...list.flatMap((s) => s.points.map((p) => p.t)));
    const tailTimes = (v.tail?.times() ?? []).filter((t) => t > lastStored);
    const times = [...new Set(list.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b).concat(tailTimes);
    const at = new Map(times.map((t, i) => [t, i]));
    const line = (
      label: string,
      s: HistorySeries["series"][number],
      pick: (p: HistorySeries["series"][number]["points"][number]) => number,
      withTail: boolean,
    ): ChartLine => {
      const values: Array<number | null> = times.map(() => null);
      for (const p of s.points) values[at.get(p.t)!] = pick(p);
      if (withTail && v.tail) {
        const all = v.tail.times();
        const col = v.tail.column(s.metric);
        all.forEach((t, i) => at.has(t) && t > lastStored && (values[at.get(t)!] = col[i] ?? null));
      }
      return { label, values };
    };
    const lines =
      list.length === 1
        ? [
            line("avg", list[0]!, (p) => p.avg, true),
            line("min", list[0]!, (p) => p.min, false),
            line("max", list[0]!, (p) => p.max, false),
          ]
        : list.map((s) => line(s.metric.slice(group.length + 1), s, (p) => p.avg, true));
    out.push(lineChart(list.length === 1 ? list[0]!.metric : group, times, lines));
  }
  return html`<div class="charts">${out}</div>`;
}

function trendCharts(v: HistoryView): Html {
  const stored = (v.trends?.series ?? []).filter((s) => s.points.length > 0);
  if (stored.length === 0) return html`<p class="empty">No trend windows from this device in the last ${v.range}.</p>`;
  const out = [...groupsOf(stored)].map(([group, list]) => {
    const times = [...new Set(list.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    const lines = list.map((s) => {
      const values: Array<number | null> = times.map(() => null);
      for (const p of s.points) values[at.get(p.t)!] = p.avg;
      return { label: s.metric.slice(group.length + 1) || s.metric, values };
    });
    return lineChart(`${group} · device trend windows (avg)`, times, lines);
  });
  return html`<h3>Trend windows</h3><div class="charts">${out}</div>`;
}
