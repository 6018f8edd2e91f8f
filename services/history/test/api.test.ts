/**
 * The series API over real HTTP (REST, Connect and gRPC-Web on one port) in front of a real SQLite
 * store: what a chart or a script asking "what was breaker-042's current last Tuesday" sees.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { HistoryService, Level } from "@gen/iot/history/v1/history_pb";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import type { Level as StoreLevel } from "../src/db/store";
import { createHttpApp } from "../src/http/app";
import { createQueries } from "../src/query";
import { openTestStore } from "./support/stores";

const H = 3_600_000;
const D = 24 * H;
const NOW = Date.now();
const T0 = Math.floor((NOW - 2 * H) / H) * H;
const retentionMs: Record<StoreLevel, number> = { raw: 48 * H, "1m": 30 * D, "5m": 30 * D, "1h": 730 * D };

let url: string;
let close: () => Promise<void>;
let stopApp: () => void;
beforeAll(async () => {
  const t = await openTestStore("sqlite");
  close = t.close;
  // One point a minute for an hour (a spike at minute 30), a second metric, a trends window, a device with an odd id.
  const points = Array.from({ length: 60 }, (_, i) => ({
    deviceId: "breaker-042",
    metric: "current.phase_a",
    ts: T0 + i * 60_000,
    value: i === 30 ? 99 : 10,
  }));
  points.push(
    { deviceId: "breaker-042", metric: "voltage.phase_a", ts: T0, value: 120 },
    { deviceId: 'x,"=1+1"', metric: "temperature.value", ts: T0, value: 21.5 },
  );
  await t.store.write(points, [
    { deviceId: "breaker-042", metric: "current.phase_a", ts: T0, avg: 11, min: 10, max: 99, last: 10 },
  ]);
  const app = createHttpApp({
    queries: createQueries(t.store, { maxPoints: 5000, retentionMs }),
    readiness: { checks: () => ({ database: true }) },
    metrics: createMetrics(),
    log: quietLogger(),
  }).listen(0);
  url = `http://127.0.0.1:${app.server!.port}`;
  stopApp = () => void app.stop();
});
afterAll(async () => {
  stopApp();
  await close();
});

const get = async (path: string) => {
  const res = await fetch(`${url}${path}`);
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    body: res.headers.get("content-type")?.includes("json") ? ((await res.json()) as any) : await res.text(),
  };
};
const range = `from=${T0}&to=${T0 + H}`;

describe("REST", () => {
  test("several metrics in one call, downsampled to at most `points` with the spike kept in max", async () => {
    const { status, body } = await get(
      `/api/devices/breaker-042/series?metric=current.phase_a&metric=voltage.phase_a&${range}&points=6`,
    );
    expect(status).toBe(200);
    expect(body.level).toBe("1m"); // 10-minute points: 1-minute roll-ups are fine enough
    const [current, voltage] = body.series;
    expect(current.metric).toBe("current.phase_a");
    expect(current.points).toHaveLength(6);
    expect(current.points[3]).toEqual({
      t: T0 + 30 * 60_000,
      count: 10,
      avg: (9 * 10 + 99) / 10,
      min: 10,
      max: 99,
      last: 10,
    });
    expect(voltage.points).toEqual([{ t: T0, count: 1, avg: 120, min: 120, max: 120, last: 120 }]);
  });

  test("the level follows the resolution: 1-minute roll-ups for a day at 500 points", async () => {
    const { body } = await get(
      `/api/devices/breaker-042/series?metric=current.phase_a&from=${T0 - 22 * H}&to=${T0 + 2 * H}`,
    );
    expect(body.level).toBe("1m");
    expect(body.series[0].points.reduce((n: number, p: { count: number }) => n + p.count, 0)).toBe(60);
  });

  test("latest, trends, and an unknown device answering empty series", async () => {
    expect((await get("/api/devices/breaker-042/latest")).body).toEqual({
      device_id: "breaker-042",
      metrics: [
        { metric: "current.phase_a", t: T0 + 59 * 60_000, value: 10 },
        { metric: "voltage.phase_a", t: T0, value: 120 },
      ],
    });
    const trends = await get(`/api/devices/breaker-042/trends?metric=current.phase_a&${range}`);
    expect(trends.body.level).toBe("5m");
    expect(trends.body.series[0].points).toEqual([{ t: T0, count: null, avg: 11, min: 10, max: 99, last: 10 }]);
    const unknown = await get(`/api/devices/nobody/series?metric=current.phase_a&${range}`);
    expect(unknown.status).toBe(200);
    expect(unknown.body.series).toEqual([{ metric: "current.phase_a", points: [] }]);
    expect((await get("/api/devices/nobody/latest")).body).toEqual({ device_id: "nobody", metrics: [] });
  });

  test("CSV export of a range, with device-supplied text quoted and defused", async () => {
    const csv = await get(
      `/api/devices/${encodeURIComponent('x,"=1+1"')}/series.csv?metric=temperature.value&${range}&points=1`,
    );
    expect(csv.status).toBe(200);
    expect(csv.type).toStartWith("text/csv");
    expect(csv.body).toBe(
      `device_id,metric,level,time,count,avg,min,max,last\r\n"x,""=1+1""",temperature.value,1h,${new Date(T0).toISOString()},1,21.5,21.5,21.5,21.5\r\n`,
    );
  });

  test("bad parameters are a 400 naming each of them", async () => {
    const bad = await get(`/api/devices/breaker-042/series?metric=a&from=${T0 + H}&to=${T0}&points=999999`);
    expect(bad.status).toBe(400);
    expect(bad.body.problems.map((p: { param: string }) => p.param)).toEqual(["from", "points"]);
    expect((await get(`/api/devices/breaker-042/series?${range}`)).body.problems[0].param).toBe("metric");
    expect((await get(`/api/devices/breaker-042/series.csv?metric=a&from=0&to=${NOW}`)).status).toBe(400);
    expect((await get(`/api/devices/breaker-042/trends?metric=a&to=-9000000000000000`)).status).toBe(400);
  });
});

describe("RPC on the same port", () => {
  for (const [name, transport] of [
    ["Connect", () => createConnectTransport({ baseUrl: url, httpVersion: "1.1" })],
    ["gRPC-Web", () => createGrpcWebTransport({ baseUrl: url, httpVersion: "1.1" })],
  ] as const) {
    test(`${name}: GetSeries, GetTrends and GetLatest answer what REST answers`, async () => {
      const client = createClient(HistoryService, transport());
      const series = await client.getSeries({
        deviceId: "breaker-042",
        metrics: ["current.phase_a"],
        fromUnixMs: BigInt(T0),
        toUnixMs: BigInt(T0 + H),
        points: 6,
      });
      expect(series.level).toBe(Level.MINUTE);
      expect(series.series[0]!.points[3]).toMatchObject({ timeUnixMs: BigInt(T0 + 30 * 60_000), count: 10n, max: 99 });
      const hour = await client.getSeries({
        deviceId: "breaker-042",
        metrics: ["current.phase_a"],
        fromUnixMs: BigInt(T0),
        toUnixMs: BigInt(T0 + H),
        level: Level.HOUR,
      });
      expect(hour.series[0]!.points).toHaveLength(1);
      expect(hour.series[0]!.points[0]).toMatchObject({ count: 60n, max: 99, last: 10 });
      const trends = await client.getTrends({
        deviceId: "breaker-042",
        metrics: ["current.phase_a"],
        fromUnixMs: BigInt(T0),
        toUnixMs: BigInt(T0 + H),
      });
      expect(trends.series[0]!.points[0]).toMatchObject({ avg: 11, max: 99 });
      expect(trends.series[0]!.points[0]!.count).toBeUndefined();
      const latest = await client.getLatest({ deviceId: "breaker-042" });
      expect(latest.values.map((v) => v.metric)).toEqual(["current.phase_a", "voltage.phase_a"]);
    });

    test(`${name}: bad parameters are InvalidArgument naming them`, async () => {
      const client = createClient(HistoryService, transport());
      const err = await client
        .getSeries({ deviceId: "breaker-042", metrics: [], fromUnixMs: BigInt(T0 + H), toUnixMs: BigInt(T0) })
        .catch((e) => e);
      expect(err).toBeInstanceOf(ConnectError);
      expect(err.code).toBe(Code.InvalidArgument);
      expect(err.rawMessage).toContain("metric:");
      expect(err.rawMessage).toContain("from:");
      const trendsLevel = await client
        .getSeries({ deviceId: "breaker-042", metrics: ["a"], level: Level.TRENDS })
        .catch((e) => e);
      expect(trendsLevel.code).toBe(Code.InvalidArgument);
    });
  }
});
