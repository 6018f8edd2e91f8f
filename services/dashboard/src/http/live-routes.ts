/** SSE endpoints, one per live page; each stream renders the same regions as its page. */
import { Elysia } from "elysia";
import type { View } from "../live/stream";
import { deadLettersRegion } from "../views/dead-letters";
import { deviceRegions } from "../views/device";
import { devicesRegion } from "../views/devices";
import { overviewRegions } from "../views/overview";
import type { PageDeps } from "./page-routes";
import { tabOf, typeOf } from "./page-routes";

export type Stream = (view: View, signal: AbortSignal) => AsyncGenerator<unknown, void>;

export function liveRoutes({ state, config, marks }: PageDeps, stream: Stream) {
  return new Elysia({ name: "dashboard-live" })
    .get("/live/overview", async function* ({ query, request }) {
      const tab = tabOf(query.tab);
      yield* stream({ key: `overview:${tab}`, render: () => overviewRegions(state, config, tab) }, request.signal);
    })
    .get("/live/devices", async function* ({ query, request }) {
      const type = typeOf(query.type);
      yield* stream({ key: `devices:${type ?? ""}`, render: () => [devicesRegion(state, config, type)] }, request.signal);
    })
    .get("/live/devices/:id", async function* ({ params, request }) {
      yield* stream({ key: `device:${params.id}`, render: () => { const d = state.devices.get(params.id); return d ? deviceRegions(d, marks) : []; } }, request.signal);
    })
    .get("/live/dead-letters", async function* ({ request }) {
      yield* stream({ key: "dead-letters", render: () => [deadLettersRegion(state.deadLetters)] }, request.signal);
    });
}
