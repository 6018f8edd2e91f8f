import { afterAll, expect, test } from "bun:test";
import { metricTotal } from "../state/services";
import { probe } from "./service-probe";

let ready = true;
const server = Bun.serve({
  port: 0,
  fetch(req) {
    const path = new URL(req.url).pathname;
    if (path === "/readyz")
      return Response.json(
        { status: ready ? "ready" : "not_ready", checks: { broker: true, registry: ready } },
        { status: ready ? 200 : 503 },
      );
    if (path === "/metrics")
      return new Response(
        '# HELP x\nenrichment_dead_lettered_total{reason="malformed"} 2\nenrichment_dead_lettered_total{reason="oversize"} 3\n',
      );
    return new Response("", { status: 404 });
  },
});
afterAll(() => server.stop(true));
const url = `http://127.0.0.1:${server.port}`;

test("reports what a service said: ready or not, its checks, its metrics", async () => {
  const up = await probe({ name: "enrichment", url }, 1_000);
  expect(up).toMatchObject({ state: "ready", checks: { broker: true, registry: true } });
  expect(metricTotal(up.metrics, "enrichment_dead_lettered_total")).toBe(5);
  expect(metricTotal(up.metrics, "enrichment_enriched_total")).toBeUndefined();
  ready = false;
  expect(await probe({ name: "enrichment", url }, 1_000)).toMatchObject({
    state: "not_ready",
    checks: { registry: false },
    error: "/readyz answered 503",
  });
});

test("a service that does not answer is unreachable, with the reason", async () => {
  const down = await probe({ name: "simulator", url: "http://127.0.0.1:9" }, 1_000);
  expect(down.state).toBe("unreachable");
  expect(down.error).toBeTruthy();
  expect(down.metrics).toBeUndefined();
});
