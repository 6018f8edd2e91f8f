/** The read-only pages, rendered from the in-memory state. */
import { Elysia } from "elysia";
import type { DashboardConfig } from "../config";
import { rangeOf } from "../history/ranges";
import type { DashboardState } from "../state/dashboard-state";
import { type FeedTab, isFeedTab } from "../state/feed";
import { deadLettersPage } from "../views/dead-letters";
import { devicePage, type Marks, unknownDevicePage } from "../views/device";
import { devicesPage } from "../views/devices";
import { feedDetail } from "../views/feed";
import { overviewPage } from "../views/overview";
import { htmlResponse } from "./respond";

export interface PageDeps {
  state: DashboardState;
  config: DashboardConfig;
  marks?: Marks;
}

export const tabOf = (v: unknown): FeedTab => (isFeedTab(v) ? v : "enriched");
export const typeOf = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export const pageRoutes = ({ state, config, marks }: PageDeps) =>
  new Elysia({ name: "dashboard-pages" })
    .get("/", ({ query }) => htmlResponse(overviewPage(state, config, tabOf(query.tab))))
    .get("/devices", ({ query }) => htmlResponse(devicesPage(state, config, typeOf(query.type))))
    .get("/devices/:id", ({ params, query }) => {
      const device = state.devices.get(params.id);
      const range = rangeOf(query.range);
      return device
        ? htmlResponse(devicePage(device, range, marks))
        : htmlResponse(unknownDevicePage(params.id, range), 404);
    })
    .get("/feed/:seq", ({ params }) => htmlResponse(feedDetail(state.feed.find(Number(params.seq)))))
    .get("/dead-letters", () => htmlResponse(deadLettersPage(state.deadLetters)));
