/** The dashboard's routes through app.handle, fed through the in-process bus. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createInProcessBus } from "@iot/common/bus-config";
import { encodeDeviceEvent, encodeEnrichedEvent } from "@iot/common/codec";
import { createMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { app, enriched, telemetry, testConfig, trends } from "../test/fixtures";
import { sseEvents } from "../test/sse";
import { createDashboard } from "./dashboard";
import { CONTENT_SECURITY_POLICY } from "./http/security";

const config = testConfig();
const log = quietLogger();
const bus = createInProcessBus(config.bus, log);
const dashboard = createDashboard(config, { bus, log, metrics: createMetrics() });
const { raw, enriched: enrichedTopic, dlq } = config.bus.topics;
const get = (path: string, headers: Record<string, string> = {}) =>
  dashboard.app.handle(new Request(`http://localhost${path}`, { headers }));
const text = async (path: string) => (await get(path)).text();
const XSS_ID = `breaker-<script>alert("id")</script>`;
const XSS_APP = "<img src=x onerror=alert(1)>";
const now = Date.now();

beforeAll(async () => {
  await bus.start();
  await dashboard.start();
  const publish = (topic: string, key: string, e: ReturnType<typeof encodeDeviceEvent>) =>
    bus.publish(topic, [{ key, ...e }]);
  for (const [i, id] of ["breaker-001", XSS_ID].entries()) {
    const t = telemetry(id, now - 1_000, 117 + i);
    await publish(raw, id, encodeDeviceEvent(t, "json"));
    await publish(enrichedTopic, id, encodeEnrichedEvent(enriched(t), "protobuf"));
    await publish(
      enrichedTopic,
      id,
      encodeEnrichedEvent(enriched(telemetry(id, now, 118 + i, 61.4), [app(XSS_APP)], i === 0), "json"),
    );
  }
  await publish(
    enrichedTopic,
    "breaker-001",
    encodeEnrichedEvent(enriched(trends("breaker-001", 1_755_625_200)), "json"),
  );
  await bus.publish(raw, [{ key: "bad", value: new TextEncoder().encode("{oops") }]);
  await bus.publish(dlq, [
    {
      key: "bad",
      value: new TextEncoder().encode("{oops <b>"),
      headers: {
        "dlq-reason": "malformed",
        "dlq-error": "not valid <JSON>",
        "dlq-source-topic": raw,
        "dlq-source-partition": "0",
        "dlq-source-offset": "4",
        "dlq-time": "2025-08-19T17:40:37.594176Z",
      },
    },
  ]);
  await eventually("records consumed", () =>
    dashboard.state.devices.size === 2 &&
    dashboard.state.deadLetters.newest().length === 1 &&
    dashboard.state.pipeline.latest()?.topics[0]?.records
      ? true
      : undefined,
  );
});
afterAll(async () => {
  await dashboard.stop();
  await bus.stop();
});

describe("pages", () => {
  test("the overview shows broker counters, the balance and the newest enriched records first", async () => {
    const res = await get("/");
    expect(res.headers.get("content-type")).toContain("text/html");
    const body = await res.text();
    expect(body).toContain(`<dt>Raw in</dt><dd>3</dd>`);
    expect(body).toContain(`<dt>Enriched out</dt><dd>5</dd>`);
    expect(body).toContain("enrichment's group has not consumed yet");
    expect(body).toContain(`hx-sse:connect="/live/overview?tab=enriched"`);
    const feed = body.slice(body.indexOf('id="feed"'));
    expect(feed.indexOf("breaker-&lt;script&gt;")).toBeLessThan(feed.indexOf("breaker-001"));
  });

  test("the raw tab shows undecodable records as such, the trends tab the trend windows", async () => {
    const rawTab = await text("/?tab=raw");
    expect(rawTab).toContain("not decodable (malformed)");
    const trendsTab = await text("/?tab=trends");
    expect(trendsTab).toContain("2 trend metrics, window from 2025-08-19 17:40:00 UTC");
  });

  test("device- and user-supplied strings are escaped everywhere they appear", async () => {
    for (const path of ["/", "/?tab=raw", "/devices", `/devices/${encodeURIComponent(XSS_ID)}`]) {
      const body = await text(path);
      expect(body).not.toContain("<script>alert");
      expect(body).not.toContain("<img src=x");
    }
    expect(await text(`/devices/${encodeURIComponent(XSS_ID)}`)).toContain("&lt;img src=x onerror=alert(1)&gt;");
  });

  test("the device list shows every device with its breaker state, readings and quality flags, filterable by type", async () => {
    const body = await text("/devices");
    expect(body).toContain("2 devices.");
    expect(body).toContain(`<span class="breaker closed">closed</span>`);
    expect(body).toContain("voltage 118 / 113.07 / 115.25 V");
    expect(body).toContain("registry data not current");
    expect(await text("/devices?type=smart_meter")).toContain("No <code>smart_meter</code> devices seen");
    expect(await text("/devices?type=smart_breaker")).toContain("2 devices.");
  });

  test("a device page charts its groups and lists its latest trends; an unknown device is a 404", async () => {
    const body = await text("/devices/breaker-001");
    expect(body).toContain(`<figcaption>voltage <span class="unit">(V)</span></figcaption>`);
    expect(body).toMatch(/<path class="series s0" d="M[\d.]+ [\d.]+L[\d.]+ [\d.]+"/);
    expect(body).toContain("<code>voltage_phase_a</code></td><td>117.27</td><td>118.5</td>");
    expect(body).toContain("frequency.value 61.4 out of range");
    const missing = await get("/devices/nope");
    expect(missing.status).toBe(404);
  });

  test("a feed row's details are the whole decoded record", async () => {
    const [entry] = dashboard.state.feed.newest("enriched", 1);
    const body = await text(`/feed/${entry!.seq}`);
    expect(body).toContain("&quot;device_metadata&quot;");
    expect(await text("/feed/999999")).toContain("no longer in the dashboard's recent buffer");
  });

  test("dead letters show reason, message, source position, time and an escaped preview", async () => {
    const body = await text("/dead-letters");
    expect(body).toContain("<code>malformed</code>");
    expect(body).toContain("not valid &lt;JSON&gt;");
    expect(body).toContain(`<code>${raw}</code>/0@4`);
    expect(body).toContain("2025-08-19 17:40:37 UTC");
    expect(body).toContain("{oops &lt;b&gt;");
  });
});

describe("protection and assets", () => {
  test("every response carries a CSP without inline scripts", async () => {
    for (const path of ["/", "/devices", "/assets/dashboard.css", "/nope"]) {
      const csp = (await get(path)).headers.get("content-security-policy");
      expect(csp).toBe(CONTENT_SECURITY_POLICY);
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe");
    // Parsed, not pattern-matched: escaped device text may well read "onerror=".
    const scripts: Array<string | null> = [];
    const handlers: string[] = [];
    let inlineCode = "";
    await new HTMLRewriter()
      .on("script", {
        element: (e) => void scripts.push(e.getAttribute("src")),
        text: (t) => void (inlineCode += t.text),
      })
      .on("*", {
        element: (e) =>
          void handlers.push(...[...e.attributes].map(([name]) => name).filter((n) => n.startsWith("on"))),
      })
      .transform(new Response(await text("/")))
      .text();
    expect(scripts).toEqual(["/assets/htmx.min.js", "/assets/hx-sse.js"]);
    expect(inlineCode.trim()).toBe("");
    expect(handlers).toEqual([]);
  });

  test("htmx and its SSE extension come from the pinned package, the stylesheet from web/", async () => {
    const htmx = await get("/assets/htmx.min.js");
    expect(htmx.headers.get("content-type")).toContain("javascript");
    expect(await htmx.text()).toContain("4.0.1");
    expect(await text("/assets/hx-sse.js")).toContain("registerExtension('sse'");
    expect(await text("/assets/dashboard.css")).toContain(":root");
    expect((await get("/assets/secret.txt")).status).toBe(404);
  });

  test("writes are refused unless they come from the dashboard's own pages", async () => {
    const post = (headers: Record<string, string>) =>
      dashboard.app.handle(new Request("http://localhost/applications", { method: "POST", headers }));
    expect((await post({})).status).toBe(403);
    expect((await post({ "hx-request": "true", origin: "http://evil.example", host: "localhost" })).status).toBe(403);
    expect((await post({ "hx-request": "true", "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  test("an unreachable App Registry is a notice on the applications page, not a failure of the dashboard", async () => {
    const res = await get("/applications");
    expect(res.status).toBe(502);
    expect(await res.text()).toContain(`App Registry at ${config.registry.url} did not answer`);
  });

  test("/readyz says the broker and the consumer are up; /metrics counts what was consumed", async () => {
    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ checks: { broker: true, consumer: true } });
    expect(await text("/metrics")).toContain(`dashboard_records_total{topic="${enrichedTopic}"} 5`);
  });
});

describe("live", () => {
  test("a stream opens at once, sends every region, then pushes new records as partials until the browser leaves", async () => {
    const leave = new AbortController();
    const res = await dashboard.app.handle(
      new Request("http://localhost/live/overview?tab=raw", { signal: leave.signal }),
    );
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = sseEvents(res.body!);
    expect(await events.next()).toEqual({ data: "", retry: config.intervals.heartbeatMs });
    const first = (await events.next()).data;
    for (const id of ["services", "pipeline", "rates", "feed"])
      expect(first).toContain(`<hx-partial hx-target="#${id}" hx-swap="innerMorph">`);

    await bus.publish(raw, [
      { key: "late-device", ...encodeDeviceEvent(telemetry("late-device", Date.now()), "json") },
    ]);
    let update = "";
    while (!update.includes("late-device")) update = (await events.next()).data;
    expect(update).toContain(`<hx-partial hx-target="#feed" hx-swap="innerMorph">`);
    expect(await text("/metrics")).toContain("dashboard_sse_clients 1");

    leave.abort();
    await eventually(
      "the stream to end",
      async () => ((await text("/metrics")).includes("dashboard_sse_clients 0") ? true : undefined),
      5_000,
    );
  });
});
