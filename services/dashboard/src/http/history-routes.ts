/**
 * `GET /devices/:id/history?range=` — the device's history section, its stored part read from the
 * history service now (a page or a range loading); the page's live stream keeps it moving after.
 */
import { Elysia } from "elysia";
import { rangeOf } from "../history/ranges";
import type { StoredHistoryCache } from "../history/stored-history";
import type { DashboardState } from "../state/dashboard-state";
import { historySection } from "../views/history";
import { htmlResponse } from "./respond";

export function historyRoutes({ stored, state }: { stored: StoredHistoryCache; state: DashboardState }) {
  return new Elysia({ name: "dashboard-history" }).get("/devices/:id/history", async ({ params, query }) => {
    const range = rangeOf(query.range);
    const id = params.id;
    const read = await stored.read(id, range);
    return htmlResponse(
      historySection({ id, range, stored: read, tail: state.devices.get(id)?.series, now: Date.now() }),
    );
  });
}
