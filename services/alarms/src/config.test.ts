import { expect, test } from "bun:test";
import { ConfigError } from "@iot/common/env";
import { loadConfig } from "./config";

test("defaults: port 5007, group iot-alarms, topic iot.alarms provisioned with the shared ones, SQLite data/alarms.db", () => {
  const c = loadConfig({});
  expect(c).toMatchObject({
    port: 5007,
    groupId: "iot-alarms",
    fromBeginning: true,
    format: "json",
    sqlitePath: "data/alarms.db",
    tickMs: 1_000,
  });
  expect(c.bus.topics).toEqual({
    raw: "iot.raw",
    enriched: "iot.enriched",
    dlq: "iot.dlq",
    alarms: "iot.alarms",
    deliveryDlq: "iot.delivery.dlq",
  });
  expect(c.databaseUrl).toBeUndefined();
});

test("every bad variable is named in one error", () => {
  const bad = () =>
    loadConfig({
      ALARMS_PORT: "70000",
      ALARMS_TICK_MS: "fast",
      PAYLOAD_FORMAT: "xml",
      DATABASE_URL: "mysql://x",
      ALARMS_START_FROM: "middle",
    });
  expect(bad).toThrow(ConfigError);
  try {
    bad();
  } catch (e) {
    expect((e as ConfigError).problems.map((p) => p.split(":")[0])).toEqual([
      "ALARMS_PORT",
      "ALARMS_START_FROM",
      "PAYLOAD_FORMAT",
      "DATABASE_URL",
      "ALARMS_TICK_MS",
    ]);
  }
});
