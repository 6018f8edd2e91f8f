/**
 * One browser's SSE stream. On connect it gets every region of its view; afterwards, on each hub
 * version, only the regions whose HTML changed, as <hx-partial>s morphed into place. Views are
 * rendered, and frames encoded, once per version however many browsers watch.
 */
import type { Counter, Gauge } from "@iot/common/metrics";
import { sse } from "elysia";
import { html } from "../views/html";
import { partial, type Region } from "../views/layout";
import type { Hub } from "./hub";

export interface LiveDeps {
  hub: Hub;
  heartbeatMs: number;
  clients: Gauge;
  messages: Counter;
}

export interface View {
  /** Identifies what is rendered: browsers with the same key share one rendering per version. */
  key: string;
  render(): Region[];
}

export function createLive(deps: LiveDeps) {
  // Everything rendered is for one hub version; browsers on the same view at that version share the
  // regions and, when the same regions changed for them, the very bytes of the SSE frame.
  let cachedVersion = -1;
  const regions = new Map<string, Region[]>();
  const frames = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  const at = (version: number) => {
    if (version === cachedVersion) return;
    regions.clear();
    frames.clear();
    cachedVersion = version;
  };
  const rendered = (view: View, version: number) => {
    at(version);
    let r = regions.get(view.key);
    if (!r) regions.set(view.key, (r = view.render()));
    return r;
  };
  const frame = (view: View, changed: Region[]) => {
    const key = `${view.key}\n${changed.map((r) => r.id).join(" ")}`;
    let f = frames.get(key);
    if (!f) frames.set(key, (f = encoder.encode(`data: ${sseLines(html`${changed.map(partial)}`.value)}\n\n`)));
    return f;
  };

  return async function* stream(view: View, signal: AbortSignal) {
    deps.clients.inc();
    try {
      // The first event goes out at once so the browser sees the stream open; a retry-only event
      // carries no message, so it swaps nothing (the same serves as the heartbeat below).
      yield sse({ retry: deps.heartbeatMs });
      const sent = new Map<string, string>();
      let version = deps.hub.version();
      for (;;) {
        const changed = rendered(view, version).filter((r) => sent.get(r.id) !== r.body.value);
        if (changed.length > 0) {
          changed.forEach((r) => sent.set(r.id, r.body.value));
          deps.messages.inc();
          yield frame(view, changed); // bytes after an sse() start are passed through as they are
        }
        const wake = await deps.hub.next(version, signal, deps.heartbeatMs);
        if (wake.kind === "closed") return;
        if (wake.kind === "idle") yield sse({ retry: deps.heartbeatMs });
        else version = wake.version;
      }
    } finally {
      deps.clients.inc({}, -1);
    }
  };
}

/** SSE data cannot hold a line break: each line of the payload becomes its own `data:` line. */
export const sseLines = (s: string): string => s.replace(/\r\n|\r|\n/g, "\ndata: ");
