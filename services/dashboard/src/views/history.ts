/**
 * A device's stored history: a range picker, one chart per measurement group (avg per component; a
 * lone component also gets its min and max, so spikes stay visible), the live tail the dashboard
 * holds appended after the last stored point, and the device's own 5-minute trend windows. The
 * stored part is what the history service answered when the range was read; the tail is the
 * dashboard's in-memory series, so as a live region the section follows new points without
 * re-reading history. Each range is its own page (`?range=`), which is what the live stream renders.
 */
import type { HistorySeries } from "../history/client";
import { RANGES, type RangeName } from "../history/ranges";
import type { StoredHistory } from "../history/stored-history";
import type { Series } from "../state/series";
import { type ChartLine, lineChart } from "./chart";
import { html, type Html } from "./html";
import { type Region, region } from "./layout";
import { deviceHref } from "./readings";

export interface HistoryView {
  id: string;
  range: RangeName;
  stored: StoredHistory;
  /** The dashboard's in-memory recent points (from the live stream), if it holds the device. */
  tail?: Series;
  /** The window ends here and starts one range earlier. */
  now: number;
}

type Stored = HistorySeries["series"][number];
const REGION = "device-history";
const sectionHref = (id: string, range: RangeName) => `${deviceHref(id)}/history?range=${range}`;
const deviceRangeHref = (id: string, range: RangeName) => `${deviceHref(id)}?range=${range}`;

/** The section before the range's stored part is read; it asks for it as soon as it is shown. */
export const historySlot = (id: string, range: RangeName): Html =>
  html`<div id="${REGION}" hx-get="${sectionHref(id, range)}" hx-trigger="load" hx-swap="outerHTML"><p class="empty">Loading history…</p></div>`;

export const historyRegion = (v: HistoryView): Region => ({ id: REGION, body: historyBody(v) });

export const historySection = (v: HistoryView): Html => region(historyRegion(v));

function historyBody(v: HistoryView): Html {
  const picker = html`<nav class="tabs ranges" aria-label="Range">${Object.keys(RANGES).map(
    (r) =>
      html`<a href="${deviceRangeHref(v.id, r as RangeName)}"${r === v.range ? html` aria-current="page"` : ""}>${r}</a>`,
  )}</nav>`;
  const { series, problem } = v.stored;
  const body = problem ? html`<p class="empty">${problem}</p>` : html`${charts(v)}${trendCharts(v)}`;
  return html`${picker}
<p class="dim">${series ? html`Stored ${series.level === "raw" ? "points" : `${series.level} roll-ups`}, one point per ${Math.round(series.width_ms / 1000)} s` : ""}</p>${body}`;
}

/** The stored series with only their points still inside the window. */
const inWindow = (list: Stored[], from: number): Stored[] =>
  list.map((s) => ({ ...s, points: s.points.filter((p) => p.t >= from) }));

function groupsOf(series: Stored[]) {
  const groups = new Map<string, Stored[]>();
  for (const s of series) {
    const g = s.metric.split(".")[0]!;
    groups.set(g, [...(groups.get(g) ?? []), s]);
  }
  return groups;
}

function charts(v: HistoryView): Html {
  const from = v.now - RANGES[v.range];
  const stored = inWindow(v.stored.series?.series ?? [], from);
  if (stored.every((s) => s.points.length === 0))
    return html`<p class="empty">Nothing stored for this device in the last ${v.range}.</p>`;
  const tailTimes = v.tail?.times() ?? [];
  const out: Html[] = [];
  for (const [group, list] of groupsOf(stored)) {
    const lastStored = Math.max(...list.flatMap((s) => s.points.map((p) => p.t)));
    const appended = (t: number) => t > lastStored && t >= from;
    const times = [...new Set(list.flatMap((s) => s.points.map((p) => p.t)))]
      .sort((a, b) => a - b)
      .concat(tailTimes.filter(appended));
    const at = new Map(times.map((t, i) => [t, i]));
    const line = (label: string, s: Stored, pick: (p: Stored["points"][number]) => number, withTail: boolean) => {
      const values: ChartLine["values"] = times.map(() => null);
      for (const p of s.points) values[at.get(p.t)!] = pick(p);
      if (withTail && v.tail) {
        const col = v.tail.column(s.metric);
        tailTimes.forEach((t, i) => appended(t) && (values[at.get(t)!] = col[i] ?? null));
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
  const stored = inWindow(v.stored.trends?.series ?? [], v.now - RANGES[v.range]).filter((s) => s.points.length > 0);
  if (stored.length === 0) return html`<p class="empty">No trend windows from this device in the last ${v.range}.</p>`;
  const out = [...groupsOf(stored)].map(([group, list]) => {
    const times = [...new Set(list.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    const lines = list.map((s) => {
      const values: ChartLine["values"] = times.map(() => null);
      for (const p of s.points) values[at.get(p.t)!] = p.avg;
      return { label: s.metric.slice(group.length + 1) || s.metric, values };
    });
    return lineChart(`${group} · device trend windows (avg)`, times, lines);
  });
  return html`<h3>Trend windows</h3><div class="charts">${out}</div>`;
}
