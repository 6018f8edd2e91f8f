import { expect, test } from "bun:test";
import { ConfigError } from "@iot/common/env";
import { loadConfig } from "./config";

test("defaults: port 5001, the shared topics, the services on their own ports, ten swaps a second", () => {
  const c = loadConfig({});
  expect(c.port).toBe(5001);
  expect(c.bus.topics).toEqual({
    raw: "iot.raw",
    enriched: "iot.enriched",
    dlq: "iot.dlq",
    alarms: "iot.alarms",
    deliveryDlq: "iot.delivery.dlq",
  });
  expect(c.services.map((s) => [s.name, s.url])).toEqual([
    ["app-registry", "http://127.0.0.1:5002"],
    ["simulator", "http://127.0.0.1:5003"],
    ["enrichment", "http://127.0.0.1:5004"],
    ["delivery", "http://127.0.0.1:5006"],
    ["alarms", "http://127.0.0.1:5007"],
    ["history", "http://127.0.0.1:5008"],
    ["ingest", "http://127.0.0.1:5005"],
  ]);
  expect(c.groupId).toBe("iot-dashboard");
  expect(c.enrichmentGroupId).toBe("iot-enrichment");
  expect(c.registry.token).toBeUndefined();
  expect(c.maxSwapsPerSecond).toBe(10);
});

test("a trailing slash is dropped from service URLs", () => {
  expect(
    loadConfig({ REGISTRY_URL: "http://registry:5002/", SIMULATOR_URL: "https://sim//" }).services.map((s) => s.url),
  ).toEqual([
    "http://registry:5002",
    "https://sim",
    "http://127.0.0.1:5004",
    "http://127.0.0.1:5006",
    "http://127.0.0.1:5007",
    "http://127.0.0.1:5008",
    "http://127.0.0.1:5005",
  ]);
});

test("every bad variable is named in one error", () => {
  const read = () =>
    loadConfig({
      DASHBOARD_PORT: "x",
      REGISTRY_URL: "registry:5002",
      DASHBOARD_MAX_SWAPS_PER_SECOND: "50",
      KAFKA_BROKERS: "nohost",
    });
  expect(read).toThrow(ConfigError);
  try {
    read();
  } catch (e) {
    const problems = (e as ConfigError).problems.join("\n");
    for (const name of ["DASHBOARD_PORT", "REGISTRY_URL", "DASHBOARD_MAX_SWAPS_PER_SECOND", "KAFKA_BROKERS"])
      expect(problems).toContain(name);
  }
});
