/**
 * SSE endpoints, one per live page; each stream renders the same regions as its page. Streams are
 * capped per client address and in all (429 beyond, with the reason); a slot is freed when its
 * stream ends, however it ends.
 */
import { Elysia } from "elysia";
import { rangeOf } from "../history/ranges";
import type { StoredHistoryCache } from "../history/stored-history";
import type { View } from "../live/stream";
import type { StreamSlots } from "../live/stream-slots";
import { deadLettersRegion } from "../views/dead-letters";
import { deviceRegions } from "../views/device";
import { devicesRegion } from "../views/devices";
import { historyRegion } from "../views/history";
import { overviewRegions } from "../views/overview";
import type { Identify } from "./operator-guard";
import type { PageDeps } from "./page-routes";
import { tabOf, typeOf } from "./page-routes";

export type Stream = (view: View, signal: AbortSignal) => AsyncGenerator<unknown, void>;

export interface LiveRouteDeps extends PageDeps {
  stream: Stream;
  slots: StreamSlots;
  identify: Identify;
  history: StoredHistoryCache;
}

export function liveRoutes({ state, config, marks, stream, slots, identify, history }: LiveRouteDeps) {
  const live = (view: (params: Record<string, string>, query: Record<string, string | undefined>) => View) =>
    async function* ({
      params,
      query,
      request,
      server,
      set,
    }: {
      params: Record<string, string>;
      query: Record<string, string | undefined>;
      request: Request;
      server: Parameters<Identify["caller"]>[1];
      set: { status?: number | string; headers: Record<string, string | number> };
    }) {
      const release = slots.take(identify.caller(request, server).address);
      if (!release) {
        set.status = 429;
        set.headers["retry-after"] = "30";
        return "Too many live streams are open; close some dashboard tabs and try again.";
      }
      try {
        yield* stream(view(params, query), request.signal);
      } finally {
        release();
      }
    };
  return new Elysia({ name: "dashboard-live" })
    .get(
      "/live/overview",
      live((_, query) => {
        const tab = tabOf(query.tab);
        return { key: `overview:${tab}`, render: () => overviewRegions(state, config, tab) };
      }),
    )
    .get(
      "/live/devices",
      live((_, query) => {
        const type = typeOf(query.type);
        return { key: `devices:${type ?? ""}`, render: () => [devicesRegion(state, config, type)] };
      }),
    )
    .get(
      "/live/devices/:id",
      live((params, query) => {
        const id = params.id!;
        const range = rangeOf(query.range);
        return {
          key: `device:${range}:${id}`,
          render: () => {
            const d = state.devices.get(id);
            if (!d) return [];
            const kept = history.current(id, range, d.series);
            const regions = deviceRegions(d, marks);
            return kept
              ? [...regions, historyRegion({ id, range, stored: kept, tail: d.series, now: Date.now() })]
              : regions;
          },
        };
      }),
    )
    .get(
      "/live/dead-letters",
      live(() => ({ key: "dead-letters", render: () => [deadLettersRegion(state.deadLetters)] })),
    );
}
