import { expect, test } from "bun:test";
import { quietLogger } from "@iot/common/testing";
import { testConfig } from "../../test/fixtures";
import type { HistoryClient, HistorySeries } from "../history/client";
import { createStoredHistory } from "../history/stored-history";
import { createDashboardState } from "../state/dashboard-state";
import { historyRoutes } from "./history-routes";

/** A history service holding one voltage point a minute for the last 10 minutes of every device. */
function setup() {
  const asked: Array<{ id: string; from: number; to: number }> = [];
  const answer = async (id: string, metrics: string[], from: number, to: number): Promise<HistorySeries> => {
    asked.push({ id, from, to });
    const now = Date.now();
    const points = Array.from({ length: 10 }, (_, i) => {
      const v = 120 + i;
      return { t: now - (10 - i) * 60_000, count: 1, avg: v, min: v, max: v, last: v };
    });
    return { level: "raw", width_ms: 60_000, series: metrics.map((metric) => ({ metric, points })) };
  };
  const client: HistoryClient = { metrics: async () => ["voltage.phase_a"], series: answer, trends: answer };
  const stored = createStoredHistory({
    client,
    refreshMs: 60_000,
    maxEntries: 8,
    refreshed: () => undefined,
    log: quietLogger(),
  });
  const routes = historyRoutes({ stored, state: createDashboardState(testConfig()) });
  const get = (path: string) => routes.handle(new Request(`http://localhost${path}`));
  return { asked, get };
}

test("the section for the asked range, read from the history service on every load, never cached", async () => {
  const { asked, get } = setup();
  const res = await get("/devices/breaker-042/history?range=15m");
  expect(res.status).toBe(200);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const body = await res.text();
  expect(body).toStartWith('<div id="device-history">');
  expect(body).toContain('aria-current="page">15m</a>');
  expect(body).toContain("<figcaption>voltage.phase_a");
  const span = asked[0]!.to - asked[0]!.from;
  expect(span).toBe(15 * 60_000);
  await get("/devices/breaker-042/history?range=15m");
  expect(asked.filter((a) => a.id === "breaker-042")).toHaveLength(4); // series and trends, twice
});

test("an unknown or hostile range is the default hour; a hostile id is escaped", async () => {
  const { asked, get } = setup();
  for (const range of ["__proto__", "1y", "", "constructor"]) {
    const body = await (await get(`/devices/b/history?range=${range}`)).text();
    expect(body).toContain('aria-current="page">1h</a>');
  }
  expect(asked.every((a) => a.to - a.from === 3_600_000)).toBe(true);
  const id = '"><script>alert(1)</script>';
  const body = await (await get(`/devices/${encodeURIComponent(id)}/history`)).text();
  expect(body).not.toContain("<script>");
  expect(body).toContain(`href="/devices/${encodeURIComponent(id)}?range=30d"`);
});
