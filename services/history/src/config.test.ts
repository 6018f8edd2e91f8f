import { expect, test } from "bun:test";
import { createInProcessBus } from "@iot/common/bus-config";
import type { SubscribeOptions } from "@iot/common/bus";
import { ConfigError } from "@iot/common/env";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "./config";
import { createHistory } from "./history";

test("defaults: :5008, SQLite in data/, fetches of 64 KiB, retention 48 h / 30 d / 730 d", () => {
  const c = loadConfig({});
  expect(c).toMatchObject({
    port: 5008,
    groupId: "iot-history",
    fromBeginning: true,
    sqlitePath: "data/history.db",
    fetchKib: 64,
    retentionMs: { raw: 48 * 3_600_000, "1m": 30 * 86_400_000, "5m": 30 * 86_400_000, "1h": 730 * 86_400_000 },
  });
  expect(c.databaseUrl).toBeUndefined();
});

test("bad values fail together, each naming its variable, never echoing the database URL", () => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).problems;
    }
    throw new Error("expected a ConfigError");
  };
  const bad = problems({ HISTORY_FETCH_KIB: "8", HISTORY_PORT: "web", HISTORY_DATABASE_URL: "mysql://u:s3cret@h/db" });
  expect(bad.map((p) => p.split(":")[0]).sort()).toEqual(["HISTORY_DATABASE_URL", "HISTORY_FETCH_KIB", "HISTORY_PORT"]);
  expect(bad.join(" ")).not.toContain("s3cret");
  expect(problems({ HISTORY_RAW_RETENTION_HOURS: String(31 * 24) })).toEqual([
    "HISTORY_RAW_RETENTION_HOURS: must not exceed HISTORY_MINUTE_RETENTION_DAYS",
  ]);
});

test("the service's group fetches at most HISTORY_FETCH_KIB a fetch", async () => {
  const dir = mkdtempSync(join(tmpdir(), "history-config-"));
  const config = loadConfig({
    HISTORY_PORT: "0",
    HISTORY_DB_PATH: join(dir, "h.db"),
    HISTORY_FETCH_KIB: "96",
    DEVICE_REGISTRY_PATH: new URL("../../../config/device-registry.json", import.meta.url).pathname,
  });
  const bus = createInProcessBus(config.bus, quietLogger());
  const asked: SubscribeOptions[] = [];
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = (s) => {
    asked.push(s);
    return subscribe(s);
  };
  await bus.start();
  const history = createHistory(config, { bus, log: quietLogger(), metrics: createMetrics() });
  try {
    await history.start();
    expect(asked.map((s) => [s.groupId, s.topics, s.maxFetchBytes])).toEqual([
      ["iot-history", [config.bus.topics.enriched], 96 * 1024],
    ]);
  } finally {
    await history.stop();
    await bus.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
