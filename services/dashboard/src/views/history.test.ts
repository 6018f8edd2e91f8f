import { expect, test } from "bun:test";
import type { HistoryPoint, HistorySeries } from "../history/client";
import type { StoredHistory } from "../history/stored-history";
import { createSeries } from "../state/series";
import { historyRegion, historySection, historySlot } from "./history";

const MIN = 60_000;
const NOW = 1_800_000_000_000;
const point = (t: number, v: number): HistoryPoint => ({ t, count: 1, avg: v, min: v - 1, max: v + 1, last: v });
/** Minutes before NOW, one point each, as the history service answers them. */
const stored = (metrics: Record<string, Array<[number, number]>>): HistorySeries => ({
  level: "1m",
  width_ms: MIN,
  series: Object.entries(metrics).map(([metric, pts]) => ({
    metric,
    points: pts.map(([ago, v]) => point(NOW - ago * MIN, v)),
  })),
});
const kept = (series: HistorySeries, trends?: HistorySeries): StoredHistory => ({ readAt: NOW, series, trends });
const figure = (body: string, caption: string) => {
  const start = body.indexOf(`<figcaption>${caption}`);
  return body.slice(start, body.indexOf("</figure>", start));
};
/** Points drawn on a chart's first line. */
const drawn = (fig: string) => (/d="([^"]*)"/.exec(fig)?.[1]?.match(/[ML]/g) ?? []).length;

test("the live tail is appended after the last stored point; points it already holds are not drawn twice", () => {
  const voltage = stored({
    "voltage.phase_a": [
      [3, 120],
      [2, 121],
      [1, 122],
    ],
    "voltage.phase_b": [
      [3, 119],
      [2, 119],
      [1, 119],
    ],
  });
  const tail = createSeries(10);
  tail.add(NOW - 2 * MIN, [["voltage.phase_a", 999]]); // already stored: the stored avg stays
  tail.add(NOW - 20_000, [
    ["voltage.phase_a", 125],
    ["voltage.phase_b", 118],
  ]);
  tail.add(NOW - 10_000, [
    ["voltage.phase_a", 131],
    ["voltage.phase_b", 117],
  ]);
  const body = historySection({ id: "breaker-042", range: "1h", stored: kept(voltage), tail, now: NOW }).value;
  const chart = figure(body, "voltage");
  expect(drawn(chart)).toBe(5); // 3 stored + 2 live
  expect(chart).toContain("phase_a: 131");
  expect(chart).toContain("phase_b: 117");
  expect(chart).not.toContain("999");

  const without = historySection({ id: "breaker-042", range: "1h", stored: kept(voltage), now: NOW }).value;
  expect(drawn(figure(without, "voltage"))).toBe(3);
  expect(figure(without, "voltage")).toContain("phase_a: 122");
});

test("a lone component keeps its min and max; the tail extends only its average", () => {
  const frequency = stored({
    "frequency.value": [
      [2, 60],
      [1, 61.5],
    ],
  });
  const tail = createSeries(4);
  tail.add(NOW - 5_000, [["frequency.value", 59.9]]);
  const chart = figure(
    historySection({ id: "b", range: "15m", stored: kept(frequency), tail, now: NOW }).value,
    "frequency.value",
  );
  expect(chart).toContain('<li class="s0">avg: 59.9</li><li class="s1">min: 60.5</li><li class="s2">max: 62.5</li>');
});

test("stored points that left the window as time moved on are not drawn", () => {
  const voltage = stored({
    "voltage.phase_a": [
      [20, 120],
      [10, 121],
      [5, 122],
      [1, 123],
    ],
  });
  const later = (minutes: number) =>
    historySection({ id: "b", range: "15m", stored: kept(voltage), now: NOW + minutes * MIN }).value;
  expect(drawn(figure(later(0), "voltage"))).toBe(3);
  expect(drawn(figure(later(6), "voltage"))).toBe(2);
  expect(later(15)).toContain("Nothing stored for this device in the last 15m.");
});

test("the range picker links each range's page, marks the current one, and nothing polls", () => {
  const id = "dev <b>&1";
  const body = historySection({ id, range: "24h", stored: kept(stored({})), now: NOW }).value;
  for (const r of ["15m", "1h", "24h", "7d", "30d"])
    expect(body).toContain(`href="/devices/${encodeURIComponent(id)}?range=${r}"`);
  expect(body).toContain('aria-current="page">24h</a>');
  expect(body).not.toContain("hx-trigger");
  expect(body).not.toContain("<b>");
  expect(historyRegion({ id, range: "24h", stored: kept(stored({})), now: NOW }).id).toBe("device-history");
  expect(historySlot(id, "7d").value).toBe(
    `<div id="device-history" hx-get="/devices/dev%20%3Cb%3E%261/history?range=7d" hx-trigger="load" hx-swap="outerHTML"><p class="empty">Loading history…</p></div>`,
  );
});

test("the device's trend windows get their own charts; a problem is said instead of charts", () => {
  const trends = stored({
    "voltage.phase_a": [
      [10, 118.5],
      [5, 119],
    ],
    "temperature.value": [
      [10, 34],
      [5, 35],
    ],
  });
  const body = historySection({
    id: "b",
    range: "1h",
    stored: kept(
      stored({
        "voltage.phase_a": [
          [2, 1],
          [1, 2],
        ],
      }),
      trends,
    ),
    now: NOW,
  }).value;
  expect(body).toContain("<figcaption>voltage · device trend windows (avg)");
  expect(body).toContain("<figcaption>temperature · device trend windows (avg)");
  const down = historySection({
    id: "b",
    range: "1h",
    stored: { readAt: NOW, problem: "History is <down>" },
    now: NOW,
  }).value;
  expect(down).toContain('<p class="empty">History is &lt;down&gt;</p>');
  expect(down).not.toContain("<figure");
});
