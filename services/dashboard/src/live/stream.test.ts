import { expect, test } from "bun:test";
import { createMetrics } from "@iot/common/metrics";
import { Elysia } from "elysia";
import { sseEvents } from "../../test/sse";
import { html } from "../views/html";
import { createHub } from "./hub";
import { createLive, sseLines } from "./stream";

test("each line of an update becomes its own data line", () => {
  expect(sseLines("<p>\na\r\nb\rc</p>")).toBe("<p>\ndata: a\ndata: b\ndata: c</p>");
});

test("after the first message, only regions whose HTML changed are sent; renders and frames are shared per version", async () => {
  const hub = createHub(10);
  const metrics = createMetrics();
  const stream = createLive({
    hub,
    heartbeatMs: 10_000,
    clients: metrics.gauge("c", "c"),
    messages: metrics.counter("m", "m"),
  });
  const state = { a: "one", b: "two" };
  let renders = 0;
  const view = {
    key: "v",
    render: () => (
      renders++,
      [
        { id: "a", body: html`${state.a}` },
        { id: "b", body: html`${state.b}` },
      ]
    ),
  };
  const server = new Elysia().get("/", async function* ({ request }) {
    yield* stream(view, request.signal);
  });
  const open = async () => {
    const leave = new AbortController();
    const res = await server.handle(new Request("http://localhost/", { signal: leave.signal }));
    return { events: sseEvents(res.body!), leave };
  };
  const first = await open();
  const second = await open();
  for (const b of [first, second]) {
    expect((await b.events.next()).retry).toBe(10_000);
    const all = (await b.events.next()).data;
    expect(all).toContain(`<hx-partial hx-target="#a" hx-swap="innerMorph">one</hx-partial>`);
    expect(all).toContain(`<hx-partial hx-target="#b" hx-swap="innerMorph">two</hx-partial>`);
  }
  expect(renders).toBe(1);

  state.b = "<three>";
  hub.changed();
  for (const b of [first, second])
    expect((await b.events.next()).data).toBe(
      `<hx-partial hx-target="#b" hx-swap="innerMorph">&lt;three&gt;</hx-partial>`,
    );
  expect(renders).toBe(2);
  expect(await metrics.render()).toContain("c 2");
  first.leave.abort();
  second.leave.abort();
  hub.stop();
});
