/** The dashboard's limits over real HTTP: Host names, live streams per client and in all, idle connections. */
import { afterAll, describe, expect, test } from "bun:test";
import { eventually } from "@iot/common/testing";
import { type RunningDashboard, startDashboard } from "./running";
import { sseEvents } from "./sse";

const dashboards: RunningDashboard[] = [];
const dashboard = async (env: Record<string, string> = {}) => {
  const d = await startDashboard(env);
  dashboards.push(d);
  return d;
};
afterAll(async () => {
  for (const d of dashboards) await d.stop();
});

describe("Host", () => {
  test("a DNS-rebound name gets 421 and nothing else; loopback names and configured ones are served", async () => {
    const d = await dashboard({ DASHBOARD_ALLOWED_HOSTS: "dash.example.com" });
    const port = new URL(d.base).port;
    for (const host of [
      "attacker.example",
      "attacker.example:80",
      "localhost.attacker.example",
      "127.0.0.1.nip.io",
      "",
      "localhost@evil",
      "[::2]",
    ]) {
      const res = await d.fetch("/applications", { headers: { host } });
      expect(res.status).toBe(421);
      expect(await res.text()).not.toContain("<html");
    }
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      `[::1]:${port}`,
      "DASH.example.com",
      "dash.example.com.",
    ]) {
      expect((await d.fetch("/", { headers: { host } })).status).toBe(200);
    }
    const sse = await d.fetch("/live/overview", { headers: { host: "attacker.example" } });
    expect(sse.status).toBe(421);
  });
});

describe("live streams", () => {
  const open = async (d: RunningDashboard, headers: Record<string, string> = {}) => {
    const leave = new AbortController();
    const res = await d.fetch("/live/overview", { headers, signal: leave.signal });
    if (res.status === 200) await sseEvents(res.body!).next(); // the stream is open once its first event arrives
    return {
      status: res.status,
      retryAfter: res.headers.get("retry-after"),
      body: res.status === 200 ? "" : await res.text(),
      close: () => leave.abort(),
    };
  };
  const clients = async (d: RunningDashboard) =>
    /dashboard_sse_clients (\d+)/.exec(await (await d.fetch("/metrics")).text())?.[1];

  test("a client gets at most DASHBOARD_SSE_MAX_PER_CLIENT; a closed stream frees its place", async () => {
    const d = await dashboard({ DASHBOARD_SSE_MAX_PER_CLIENT: "2" });
    const [a, b] = [await open(d), await open(d)];
    expect([a.status, b.status]).toEqual([200, 200]);
    const third = await open(d);
    expect(third.status).toBe(429);
    expect(third.retryAfter).toBe("30");
    expect(third.body).toContain("Too many live streams");
    a.close();
    await eventually("the closed stream to be released", async () => ((await clients(d)) === "1" ? true : undefined));
    const again = await open(d);
    expect(again.status).toBe(200);
    b.close();
    again.close();
  });

  test("all clients together get at most DASHBOARD_SSE_MAX_STREAMS (clients told apart by a trusted proxy)", async () => {
    const d = await dashboard({
      DASHBOARD_SSE_MAX_PER_CLIENT: "2",
      DASHBOARD_SSE_MAX_STREAMS: "3",
      DASHBOARD_TRUSTED_PROXIES: "127.0.0.1",
    });
    const as = (client: string) => open(d, { "x-forwarded-for": client });
    const streams = [await as("198.51.100.1"), await as("198.51.100.1"), await as("198.51.100.2")];
    expect(streams.map((s) => s.status)).toEqual([200, 200, 200]);
    expect((await as("198.51.100.3")).status).toBe(429);
    for (const s of streams) s.close();
  });
});

// Bun closes a kept-alive connection after its idle timeout (up to twice it); with Bun's default
// (10 s) this would outlast the test's timeout. A connection stuck mid-headers Bun ends at ~10 s by itself.
test("a kept-alive connection left idle is closed after DASHBOARD_IDLE_TIMEOUT_SECONDS", async () => {
  const d = await dashboard({ DASHBOARD_IDLE_TIMEOUT_SECONDS: "2", DASHBOARD_SSE_HEARTBEAT_MS: "1000" });
  const closed = Promise.withResolvers<void>();
  let answer = "";
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port: Number(new URL(d.base).port),
    socket: { data: (_, chunk) => void (answer += chunk.toString()), close: () => closed.resolve() },
  });
  socket.write("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
  await closed.promise;
  expect(answer).toStartWith("HTTP/1.1 200");
}, 8_000);

test("a heartbeat slower than the idle timeout is refused at start, naming both variables", () => {
  expect(() => startDashboard({ DASHBOARD_IDLE_TIMEOUT_SECONDS: "5", DASHBOARD_SSE_HEARTBEAT_MS: "5000" })).toThrow(
    /DASHBOARD_SSE_HEARTBEAT_MS.*DASHBOARD_IDLE_TIMEOUT_SECONDS/,
  );
});
