/** `GET /devices/:id/history?range=` — the device's stored history section, from the history service. */
import { Elysia } from "elysia";
import { type HistoryClient, HistoryUnavailable } from "../history/client";
import type { DashboardState } from "../state/dashboard-state";
import { historySection, isRange, RANGES, type RangeName } from "../views/history";
import { htmlResponse } from "./respond";

const POINTS = 300;
/** The history API's limit on metrics per call. */
const METRICS_PER_CALL = 20;

export function historyRoutes(deps: { client: HistoryClient; state: DashboardState }) {
  const { client, state } = deps;
  return new Elysia({ name: "dashboard-history" }).get("/devices/:id/history", async ({ params, query }) => {
    const range: RangeName = isRange(query.range) ? query.range : "1h";
    const id = params.id;
    const tail = state.devices.get(id)?.series;
    try {
      const metrics = await client.metrics(id);
      if (metrics.length === 0)
        return htmlResponse(historySection({ id, range, tail, problem: "Nothing stored for this device yet." }));
      const to = Date.now();
      const from = to - RANGES[range];
      const calls: string[][] = [];
      for (let i = 0; i < metrics.length; i += METRICS_PER_CALL) calls.push(metrics.slice(i, i + METRICS_PER_CALL));
      const [series, trends] = await Promise.all(
        (["series", "trends"] as const).map(async (kind) => {
          const parts = await Promise.all(calls.map((m) => client[kind](id, m, from, to, POINTS)));
          return { ...parts[0]!, series: parts.flatMap((p) => p.series) };
        }),
      );
      return htmlResponse(historySection({ id, range, series, trends, tail }));
    } catch (e) {
      if (!(e instanceof HistoryUnavailable)) throw e;
      return htmlResponse(
        historySection({ id, range, tail, problem: `History is not available right now (${e.message}).` }),
      );
    }
  });
}
