/**
 * History on the in-process bus, as `bun run start` runs it: records stored into the SQLite file;
 * after a restart (a new bus that remembers nothing, the same file) the data is still there and
 * the same records published again change no figure.
 */
import { afterAll, expect, test } from "bun:test";
import { createInProcessBus } from "@iot/common/bus-config";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { eventually, quietLogger } from "@iot/common/testing";
import { openTestDatabase, type TestDatabase } from "../../app-registry/test/support/databases";
import { loadConfig } from "../src/config";
import { createHistory } from "../src/history";
import { fleetWeek } from "./support/fleet-week";
import { storedHours } from "./support/hours";

const root = new URL("../../../", import.meta.url).pathname;
let database: TestDatabase;
afterAll(() => database?.drop());

test("stored on the in-process bus, still there after a restart, and a replay after it changes nothing", async () => {
  database = await openTestDatabase("sqlite");
  const week = await fleetWeek(Date.now() - 3_600_000, 60 * 60_000);
  const config = loadConfig({
    HISTORY_PORT: "0",
    HISTORY_DB_PATH: database.config.sqlitePath,
    HISTORY_RAW_RETENTION_HOURS: String(9 * 24),
    DEVICE_REGISTRY_PATH: `${root}config/device-registry.json`,
  });
  const run = async () => {
    const bus = createInProcessBus(config.bus, quietLogger());
    await bus.start();
    const metrics = createMetrics();
    const history = createHistory(config, { bus, log: quietLogger(), metrics });
    await history.start();
    await bus.publish(config.bus.topics.enriched, week.records);
    const figure = async (name: string) => parseMetrics(await metrics.render()).get(name) ?? 0;
    await eventually(
      "every record settled",
      async () => ((await figure('history_records_total{result="stored"}')) === week.records.length ? true : undefined),
      60_000,
    );
    const hours = await storedHours(history.urls().History!, week);
    const points = [
      await figure('history_points_total{result="stored"}'),
      await figure('history_points_total{result="duplicate"}'),
    ];
    await history.stop();
    await bus.stop();
    return { hours, points };
  };
  const first = await run();
  expect(first.points).toEqual([week.points, 0]);
  const second = await run();
  expect(second.points).toEqual([0, week.points]);
  expect(second.hours).toEqual(first.hours);
}, 120_000);
