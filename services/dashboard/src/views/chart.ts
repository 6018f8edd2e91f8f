/** Server-rendered SVG line charts: no script, no CDN, colours from the stylesheet. */
import { clockUtc } from "../time";
import { num } from "./format";
import { html, type Html } from "./html";

export interface ChartLine {
  label: string;
  /** Aligned with the chart's times; null is a gap. */
  values: Array<number | null>;
}

/** A horizontal line at a value (an alarm rule's threshold). */
export interface ChartMark {
  label: string;
  value: number;
}

const W = 480;
const H = 150;
const PAD = { left: 56, right: 8, top: 8, bottom: 20 };

/** A chart of at least two points, or a note saying there is nothing to draw yet. */
export function lineChart(
  title: string,
  times: number[],
  lines: ChartLine[],
  unit = "",
  marks: ChartMark[] = [],
): Html {
  const values = lines.flatMap((l) => l.values.filter((v): v is number => v !== null));
  if (times.length < 2 || values.length < 2) return html`<p class="chart-empty">${title}: not enough data yet</p>`;
  const all = [...values, ...marks.map((m) => m.value)];
  let [lo, hi] = [Math.min(...all), Math.max(...all)];
  if (lo === hi) {
    // A flat line sits mid-chart; a range that was never negative does not become so.
    const pad = Math.max(1, Math.abs(lo) * 0.05);
    [lo, hi] = [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
  }
  const [t0, t1] = [times[0]!, times[times.length - 1]!];
  const x = (t: number) => PAD.left + ((t - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => PAD.top + (1 - (v - lo) / (hi - lo)) * (H - PAD.top - PAD.bottom);
  const path = (values: Array<number | null>) =>
    values
      .map((v, i) =>
        v === null ? "" : `${values[i - 1] == null ? "M" : "L"}${x(times[i]!).toFixed(1)} ${y(v).toFixed(1)}`,
      )
      .join("");
  const latest = (l: ChartLine) => l.values.findLast((v) => v !== null) ?? undefined;
  return html`<figure class="chart">
<figcaption>${title}${unit ? html` <span class="unit">(${unit})</span>` : ""}</figcaption>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${title}">
<line class="axis" x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}"/>
<text class="tick" x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end">${num(hi)}</text>
<text class="tick" x="${PAD.left - 4}" y="${H - PAD.bottom}" text-anchor="end">${num(lo)}</text>
<text class="tick" x="${PAD.left}" y="${H - 4}">${clockUtc(t0)}</text>
<text class="tick" x="${W - PAD.right}" y="${H - 4}" text-anchor="end">${clockUtc(t1)}</text>
${marks.map((m) => html`<line class="threshold" x1="${PAD.left}" y1="${y(m.value).toFixed(1)}" x2="${W - PAD.right}" y2="${y(m.value).toFixed(1)}"><title>${m.label}</title></line>`)}
${lines.map((l, i) => html`<path class="series s${i % 6}" d="${path(l.values)}"><title>${l.label}</title></path>`)}
</svg>
<ul class="legend">${lines.map((l, i) => html`<li class="s${i % 6}">${l.label}: ${num(latest(l), "no value yet")}</li>`)}</ul>
</figure>`;
}
