/**
 * The hostile-input suite against a running platform: every service of `bun run start` on the
 * in-process bus, and the same services on Kafka. Hundreds of requests to every HTTP edge (registry,
 * dashboard, alarms, history, ingest, delivery) and hostile device records through ingest onto
 * `iot.raw`: no 5xx anywhere, no write without credentials, no api key, token or e-mail in an
 * anonymous answer or in a log line, and the pages still render after the hostile records.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@iot/common/logger";
import { eventually, kafkaBrokers, uniqueName } from "@iot/common/testing";
import { freePort } from "@iot/common/testing-process";
import { type Platform, startPlatform } from "../services/platform/src/platform";

const ADMIN = "hostile-platform-admin-token-0123456789";
const EXAMPLE_EMAILS = ["dashboard@iot-platform.com", "analytics@iot-platform.com"];
const NASTY = [
  "%00",
  "%E2%80%AE",
  "__proto__",
  "constructor",
  "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
  "..%2F..%2Fetc%2Fpasswd",
  "x".repeat(3000),
];

async function platformOn(backend: "memory" | "kafka", dir: string, lines: string[]) {
  const names = [
    "dashboard",
    "http",
    "rpc",
    "enrichment",
    "simulator",
    "delivery",
    "alarms",
    "history",
    "ingestHttp",
    "ingestMqtt",
  ];
  const ports: Record<string, number> = Object.fromEntries(
    await Promise.all(names.map(async (n) => [n, await freePort()] as const)),
  );
  const url = (p: number) => `http://127.0.0.1:${p}`;
  const id = uniqueName("hostile");
  const kafka =
    backend === "kafka"
      ? {
          KAFKA_BROKERS: kafkaBrokers().join(","),
          KAFKA_PARTITIONS: "2",
          TOPIC_RAW: `${id}.raw`,
          TOPIC_ENRICHED: `${id}.enriched`,
          TOPIC_DLQ: `${id}.dlq`,
          TOPIC_ALARMS: `${id}.alarms`,
          TOPIC_DELIVERY_DLQ: `${id}.delivery.dlq`,
          ENRICHMENT_GROUP: `${id}-enrichment`,
          DASHBOARD_GROUP: `${id}-dashboard`,
          ALARMS_GROUP: `${id}-alarms`,
          HISTORY_GROUP: `${id}-history`,
          DELIVERY_GROUP_PREFIX: `${id}-delivery`,
        }
      : { KAFKA_BROKERS: "" };
  const env = {
    ...kafka,
    REGISTRY_ADMIN_TOKEN: ADMIN,
    DASHBOARD_LOOPBACK_OPERATOR: "false",
    REGISTRY_DB_PATH: join(dir, `${id}-registry.db`),
    ALARMS_DB_PATH: join(dir, `${id}-alarms.db`),
    HISTORY_DB_PATH: join(dir, `${id}-history.db`),
    DASHBOARD_PORT: String(ports.dashboard),
    REGISTRY_HTTP_PORT: String(ports.http),
    REGISTRY_RPC_PORT: String(ports.rpc),
    ENRICHMENT_PORT: String(ports.enrichment),
    SIMULATOR_PORT: String(ports.simulator),
    DELIVERY_PORT: String(ports.delivery),
    ALARMS_PORT: String(ports.alarms),
    HISTORY_PORT: String(ports.history),
    INGEST_HTTP_PORT: String(ports.ingestHttp),
    INGEST_MQTT_PORT: String(ports.ingestMqtt),
    SIM_DEVICES: "smart_breaker=1",
    PUBLISH_INTERVAL: "1",
    LOG_LEVEL: "debug",
  };
  const log = createLogger("platform", { level: "debug", write: (line) => lines.push(line) });
  const platform = await startPlatform(env, log);
  return { platform, ports, url };
}

for (const backend of ["memory", "kafka"] as const) {
  describe(`bun run start's services (${backend === "memory" ? "in-process bus" : "Kafka"})`, () => {
    const dir = mkdtempSync(join(tmpdir(), "hostile-platform-"));
    const lines: string[] = [];
    const answers: Array<{ what: string; status: number; body: string }> = [];
    let platform: Platform;
    let base: (service: string) => string;
    let deviceToken = "";

    const send = async (what: string, service: string, path: string, init: RequestInit = {}) => {
      const res = await fetch(`${base(service)}${path}`, {
        redirect: "manual",
        ...init,
        signal: AbortSignal.timeout(10_000),
      });
      const body = res.headers.get("content-type")?.includes("text/event-stream") ? "" : await res.text();
      answers.push({
        what: `${service} ${init.method ?? "GET"} ${path.slice(0, 80)} (${what})`,
        status: res.status,
        body,
      });
      return res.status;
    };
    const applications = async () =>
      ((await (await fetch(`${base("registry")}/api/applications`)).json()) as { total: number }).total;

    const start = async () => {
      const started = await platformOn(backend, dir, lines);
      platform = started.platform;
      const p = started.ports;
      const map: Record<string, number> = {
        registry: p.http!,
        dashboard: p.dashboard!,
        alarms: p.alarms!,
        history: p.history!,
        ingest: p.ingestHttp!,
        delivery: p.delivery!,
      };
      base = (service) => started.url(map[service]!);
      await eventually("the example registrations", async () => ((await applications()) >= 5 ? true : undefined));
      // One device of our own, for records that pass authentication and are hostile in content.
      const created = await fetch(`${base("registry")}/api/devices`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN}` },
        body: JSON.stringify({ device_id: "hostile-1", device_type: "smart_breaker", name: "hostile" }),
      });
      deviceToken = ((await created.json()) as { token: string }).token;
    };
    beforeAll(async () => {
      try {
        await start();
      } catch (e) {
        // What the services logged says why the platform did not come up (CI keeps only the output).
        const told = lines.filter((l) => !l.includes('"level":"debug"')).slice(-40);
        console.error(`the platform's last log lines above debug:\n${told.join("\n")}`);
        throw e;
      }
    }, 60_000);
    afterAll(async () => {
      await platform?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    test("hostile requests to every edge: no 5xx, no anonymous write, no secret in any answer", async () => {
      const before = await applications();
      const json = { "content-type": "application/json" };
      // Registry: filters and ids with NUL, bidi, prototype names, markup, traversal, oversize; writes without the token.
      for (const v of NASTY) {
        for (const q of ["status", "platform", "category", "device_type"])
          await send("filter", "registry", `/api/applications?${q}=${v}`);
        await send("id", "registry", `/api/applications/${v}`);
        await send("device filter", "registry", `/api/devices?label=${v}:${v}&search=${v}`);
        await send("device id", "registry", `/api/devices/${v}`);
        await send("by type", "registry", `/api/applications/by-device-type/${v}`);
      }
      const bodies = ["{", "[]", "null", '{"__proto__":{"admin":true}}', '{"name":"\\u0000"}', "x".repeat(300_000)];
      for (const body of bodies) {
        await send("register, no token", "registry", "/api/applications", { method: "POST", headers: json, body });
        await send("register, form", "registry", "/api/applications", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body,
        });
        await send("device, no token", "registry", "/api/devices", { method: "POST", headers: json, body });
        await send("bulk, no token", "registry", "/api/devices/bulk", {
          method: "POST",
          headers: { "content-type": "text/csv" },
          body,
        });
      }
      const some = (
        (await (await fetch(`${base("registry")}/api/applications`)).json()) as { applications: Array<{ id: string }> }
      ).applications[0]!.id;
      for (const method of ["PUT", "DELETE", "POST"]) {
        const path = method === "POST" ? `/api/applications/${some}/regenerate-key` : `/api/applications/${some}`;
        await send("write, no token", "registry", path, {
          method,
          headers: json,
          body: method === "DELETE" ? undefined : "{}",
        });
        await send("write, wrong token", "registry", path, {
          method,
          headers: { ...json, authorization: "Bearer nope" },
          body: method === "DELETE" ? undefined : "{}",
        });
        await send("write, rebinding host", "registry", path, {
          method,
          headers: { ...json, host: "evil.example", authorization: `Bearer ${ADMIN}` },
          body: method === "DELETE" ? undefined : "{}",
        });
      }
      // Dashboard: pages with hostile ids, asset paths, malformed forms and writes from an anonymous visitor.
      for (const v of NASTY) {
        for (const path of [
          `/devices/${v}`,
          `/assets/${v}`,
          `/applications/${v}/edit`,
          `/live/devices/${v}`,
          `/?tab=${v}`,
          `/devices?type=${v}`,
          `/alarms?severity=${v}`,
          `/admin/devices?type=${v}`,
        ])
          await send("page", "dashboard", path);
      }
      for (const body of bodies) {
        for (const path of ["/applications", "/admin/devices", "/login", `/applications/${some}/regenerate-key`])
          await send("form", "dashboard", path, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
            body,
          });
        await send("multipart", "dashboard", "/admin/devices/import", {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=x" },
          body,
        });
      }
      await send("rebinding host", "dashboard", "/", { headers: { host: "evil.example" } });
      // Alarms, history, ingest, delivery.
      for (const v of NASTY) {
        await send("alarm id", "alarms", `/api/alarms/${v}`);
        await send("alarm filter", "alarms", `/api/alarms?severity=${v}&device_id=${v}`);
        await send("ack, no token", "alarms", `/api/alarms/${v}/acknowledge`, {
          method: "POST",
          headers: json,
          body: '{"by":"x"}',
        });
        await send("series", "history", `/api/devices/${v}/series?metric=${v}&from=${v}&to=${v}&points=${v}`);
        await send("latest", "history", `/api/devices/${v}/latest`);
        await send("telemetry, no token", "ingest", `/api/v1/devices/${v}/telemetry`, {
          method: "POST",
          headers: json,
          body: "{}",
        });
        await send("stream, junk key", "delivery", `/api/v1/stream?device_id=${v}`, {
          headers: { authorization: `Bearer ${v}` },
        });
        await send("status", "delivery", `/api/v1/deliveries/${v}`);
      }
      for (const body of bodies) {
        await send("telemetry, wrong token", "ingest", "/api/v1/devices/hostile-1/telemetry", {
          method: "POST",
          headers: { ...json, authorization: "Bearer wrong" },
          body,
        });
        await send("alarm rules", "alarms", "/api/alarm-rules/validate", { method: "POST", headers: json, body });
      }

      expect(answers.length).toBeGreaterThanOrEqual(150);
      expect(answers.filter((a) => a.status >= 500).map((a) => `${a.status} ${a.what}`)).toEqual([]);
      expect(await applications()).toBe(before);
      const leaks = answers.filter(
        (a) =>
          [ADMIN, deviceToken, ...EXAMPLE_EMAILS].some((s) => a.body.includes(s)) ||
          /"api_key"\s*:\s*"[^"]/.test(a.body),
      );
      expect(leaks.map((a) => a.what)).toEqual([]);
    }, 120_000);

    test("hostile records from an authenticated device reach the dead letters, and every page still renders", async () => {
      const device = { "content-type": "application/json", authorization: `Bearer ${deviceToken}` };
      const records = [
        {
          device_type: "smart_breaker",
          timestamp: "2026-01-01T00:00:00Z",
          event_type: "constructor",
          measurements: {},
        },
        {
          device_type: "smart_breaker",
          timestamp: "2026-01-01T00:00:00Z",
          event_type: "trends",
          trends: [{ c: "x", v: 1, avg: 1, min: 1, max: 1, t: 9e12 }],
        },
        {
          device_type: "<script>alert(1)</script>",
          timestamp: "9999-12-31T23:59:59Z",
          event_type: "telemetry",
          measurements: { "<b>": { __proto__: 1, v: "x".repeat(5000) } },
        },
        {
          device_type: "smart_breaker",
          timestamp: "not a time",
          event_type: "telemetry",
          measurements: { voltage: { phase_a: 1e308 } },
        },
      ];
      for (const r of records) {
        const status = await send("hostile record", "ingest", "/api/v1/devices/hostile-1/telemetry", {
          method: "POST",
          headers: device,
          body: JSON.stringify(r),
        });
        expect(status).toBeLessThan(500);
      }
      await eventually(
        "the dead letters page names the refused records",
        async () => {
          const page = await (await fetch(`${base("dashboard")}/dead-letters`)).text();
          const named = ["is not telemetry or trends", "is outside the years 0000", "<code>hostile-1</code>"];
          return named.every((text) => page.includes(text)) ? true : undefined;
        },
        30_000,
      );
      for (const path of [
        "/",
        "/devices",
        "/devices/hostile-1",
        "/dead-letters",
        "/alarms",
        "/applications",
        "/admin/devices",
        "/?tab=raw",
      ]) {
        const res = await fetch(`${base("dashboard")}${path}`);
        const body = await res.text();
        expect([path, res.status < 500]).toEqual([path, true]);
        expect(body).not.toContain("<script>alert(1)</script>");
      }
      expect(lines.filter((l) => l.includes(ADMIN) || l.includes(deviceToken))).toEqual([]);
    }, 60_000);
  });
}
