/**
 * The dashboard's device history section against a real history API (SQLite): stored charts per
 * measurement group with a range picker, the device's trend windows, device-supplied text escaped,
 * and a plain message (not an error page) when the history service is down. Because it reads
 * the history service, a dashboard restarted with no memory of the device still shows its past.
 * On a device page's live stream the stored charts follow the device's new points.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { createInProcessBus } from "@iot/common/bus-config";
import { encodeEnrichedEvent } from "@iot/common/codec";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { createHistoryClient } from "../../dashboard/src/history/client";
import { createStoredHistory } from "../../dashboard/src/history/stored-history";
import { historyRoutes } from "../../dashboard/src/http/history-routes";
import { createDashboardState } from "../../dashboard/src/state/dashboard-state";
import { loadConfig as loadDashboardConfig } from "../../dashboard/src/config";
import { createDashboard } from "../../dashboard/src/dashboard";
import { enriched, telemetry, testConfig } from "../../dashboard/test/fixtures";
import { sseEvents } from "../../dashboard/test/sse";
import type { Level } from "../src/db/store";
import { createHttpApp } from "../src/http/app";
import { createQueries } from "../src/query";
import { openTestStore } from "./support/stores";

const H = 3_600_000;
const NOW = Date.now();
const ODD = '<img src=x onerror="alert(1)">';
const retentionMs: Record<Level, number> = { raw: 48 * H, "1m": 30 * 24 * H, "5m": 30 * 24 * H, "1h": 730 * 24 * H };

let historyUrl: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await openTestStore("sqlite");
  const points = Array.from({ length: 30 }, (_, i) => [
    { deviceId: "breaker-042", metric: "voltage.phase_a", ts: NOW - (30 - i) * 60_000, value: 120 + (i % 3) },
    { deviceId: "breaker-042", metric: "voltage.phase_b", ts: NOW - (30 - i) * 60_000, value: 119 },
    { deviceId: "breaker-042", metric: "frequency.value", ts: NOW - (30 - i) * 60_000, value: i === 10 ? 61.5 : 60 },
    { deviceId: ODD, metric: "temperature.value", ts: NOW - (30 - i) * 60_000, value: 20 + i },
  ]).flat();
  await t.store.write(points, [
    {
      deviceId: "breaker-042",
      metric: "voltage.phase_a",
      ts: NOW - 20 * 60_000,
      avg: 121,
      min: 120,
      max: 122,
      last: 121,
    },
    {
      deviceId: "breaker-042",
      metric: "voltage.phase_a",
      ts: NOW - 15 * 60_000,
      avg: 121,
      min: 120,
      max: 122,
      last: 121,
    },
  ]);
  const app = createHttpApp({
    queries: createQueries(t.store, { maxPoints: 5000, retentionMs }),
    readiness: { checks: () => ({}) },
    metrics: createMetrics(),
    log: quietLogger(),
  }).listen(0);
  historyUrl = `http://127.0.0.1:${app.server!.port}`;
  cleanup = async () => {
    await app.stop();
    await t.close();
  };
});
afterAll(() => cleanup());

const section = async (url: string, id: string, range: string) => {
  const state = createDashboardState(loadDashboardConfig({}));
  const stored = createStoredHistory({
    client: createHistoryClient({ url, timeoutMs: 2_000 }),
    refreshMs: 60_000,
    maxEntries: 8,
    refreshed: () => undefined,
    log: quietLogger(),
  });
  const routes = historyRoutes({ stored, state });
  const res = await routes.handle(
    new Request(`http://localhost/devices/${encodeURIComponent(id)}/history?range=${range}`),
  );
  expect(res.status).toBe(200);
  return res.text();
};

test("a device's stored history: one chart per group, a lone component with min and max, trend windows, the range picker", async () => {
  const body = await section(historyUrl, "breaker-042", "1h");
  expect(body).toContain("<figcaption>voltage");
  expect(body).toContain("<figcaption>frequency.value");
  expect(body).toContain('<li class="s1">min: 60</li><li class="s2">max: 60</li>'); // a lone component carries avg, min and max lines
  expect(body).toContain(">61.5</text>"); // the spike sets the frequency chart's top
  expect(body).toContain("device trend windows");
  for (const r of ["15m", "1h", "24h", "7d", "30d"]) expect(body).toContain(`href="/devices/breaker-042?range=${r}"`);
  expect(body).toContain('aria-current="page">1h');
  expect(body).not.toContain("hx-trigger"); // no poll: the page's live stream moves it
});

test("device-supplied ids are escaped in the section", async () => {
  const body = await section(historyUrl, ODD, "24h");
  expect(body).not.toContain("<img");
  expect(body).toContain("temperature.value");
});

test("nothing stored, and the history service down, are messages in the section", async () => {
  expect(await section(historyUrl, "nobody", "7d")).toContain("Nothing stored for this device yet.");
  expect(await section("http://127.0.0.1:9", "breaker-042", "30d")).toContain("History is not available right now");
});

test("on a device page's live stream, the stored charts get the device's new points appended", async () => {
  const config = testConfig({ HISTORY_URL: historyUrl });
  const log = quietLogger();
  const bus = createInProcessBus(config.bus, log);
  const dashboard = createDashboard(config, { bus, log, metrics: createMetrics() });
  await bus.start();
  await dashboard.start();
  const leave = new AbortController();
  try {
    const publish = (volts: number) =>
      bus.publish(config.bus.topics.enriched, [
        {
          key: "breaker-042",
          ...encodeEnrichedEvent(enriched(telemetry("breaker-042", Date.now(), volts)), "json"),
        },
      ]);
    await publish(125);
    const res = await dashboard.app.handle(
      new Request("http://localhost/live/devices/breaker-042?range=1h", { signal: leave.signal }),
    );
    const events = sseEvents(res.body!);
    const historyUpdate = async (shows: string) => {
      for (;;) {
        const { data } = await events.next();
        const at = data.indexOf('<hx-partial hx-target="#device-history"');
        if (at >= 0 && data.slice(at, data.indexOf("</hx-partial>", at)).includes(shows)) return data.slice(at);
      }
    };
    // Nothing was read for the range yet: the stream reads it, then sends the charts with the tail.
    const first = await historyUpdate("phase_a: 125");
    expect(first).toContain("<figcaption>frequency.value");
    await publish(131);
    expect(await historyUpdate("phase_a: 131")).toContain('aria-current="page">1h');
  } finally {
    leave.abort();
    await dashboard.stop();
    await bus.stop();
  }
});
