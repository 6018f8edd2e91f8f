/** The overview: services, broker counters and rates, and the live feed. */
import type { DashboardConfig } from "../config";
import type { DashboardState } from "../state/dashboard-state";
import type { FeedTab } from "../state/feed";
import { feedRegion, feedTabs } from "./feed";
import { html, type Html } from "./html";
import { ingestRegion } from "./ingest";
import { page, type Region, region } from "./layout";
import { pipelineRegion, ratesRegion } from "./pipeline";
import { servicesRegion } from "./services";

export function overviewRegions(state: DashboardState, config: DashboardConfig, tab: FeedTab): Region[] {
  return [
    servicesRegion(config.services, state.services),
    pipelineRegion(state.pipeline, config.bus.topics),
    ratesRegion(state.pipeline),
    feedRegion(state.feed, tab, config.limits.feed),
    ingestRegion(state.services),
  ];
}

export function overviewPage(state: DashboardState, config: DashboardConfig, tab: FeedTab): Html {
  const [services, pipeline, rates, feed, ingest] = overviewRegions(state, config, tab).map((r) => region(r));
  return page({
    title: "Overview",
    section: "overview",
    live: `/live/overview?tab=${tab}`,
    body: html`<section><h1>Services</h1>${services}</section>
<section><h2>Pipeline</h2>${pipeline}</section>
<section><h2>Rates</h2>${rates}</section>
<section><h2>Live feed</h2>${feedTabs(tab)}${feed}</section>
<section><h2>Devices in (ingest)</h2>${ingest}</section>`,
  });
}
