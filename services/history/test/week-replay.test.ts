/**
 * Through the real broker, on SQLite and on PostgreSQL: a seeded fleet's simulated week (timestamps
 * in the past) is consumed by the history service; its 1-hour roll-ups, read back through the
 * series API, equal the figures recomputed from the input; a second consumer group redelivering
 * every record changes no stored figure.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { EventBus } from "@iot/common/bus";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { createMetrics, type Metrics, parseMetrics } from "@iot/common/metrics";
import { eventually, kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";
import type { TestDatabase } from "../../app-registry/test/support/databases";
import { openTestDatabase } from "../../app-registry/test/support/databases";
import { loadConfig } from "../src/config";
import { createHistory } from "../src/history";
import { fleetWeek } from "./support/fleet-week";
import { avgError, exactFigures, expectedFigures, type StoredHour, storedHours } from "./support/hours";
import { DIALECTS } from "./support/stores";

const HOUR_MS = 3_600_000;
const root = new URL("../../../", import.meta.url).pathname;

for (const dialect of DIALECTS) {
  describe(`a simulated week through Kafka into ${dialect}`, () => {
    const topic = uniqueName("hist.enriched");
    let bus: EventBus;
    let database: TestDatabase;
    let week: Awaited<ReturnType<typeof fleetWeek>>;
    const running: Array<{ stop(): Promise<void> }> = [];

    const startHistory = async (group: string) => {
      const config = loadConfig({
        KAFKA_BROKERS: kafkaBrokers().join(","),
        TOPIC_ENRICHED: topic,
        HISTORY_GROUP: group,
        HISTORY_PORT: "0",
        HISTORY_DB_PATH: database.config.sqlitePath,
        HISTORY_DATABASE_URL: database.config.databaseUrl,
        HISTORY_RAW_RETENTION_HOURS: String(9 * 24), // the week is in the past: keep its raw points
        DEVICE_REGISTRY_PATH: `${root}config/device-registry.json`,
      });
      const metrics = createMetrics();
      const service = createHistory(config, { bus, log: quietLogger(), metrics });
      await service.start();
      running.push(service);
      return { service, metrics, url: service.urls().History! };
    };
    const counter = async (m: Metrics, series: string) => parseMetrics(await m.render()).get(series) ?? 0;

    beforeAll(async () => {
      database = await openTestDatabase(dialect);
      bus = createKafkaBus({
        brokers: kafkaBrokers(),
        clientId: "history-test",
        topics: [{ name: topic, partitions: 3 }],
        log: quietLogger(),
      });
      await bus.start();
      week = await fleetWeek(Date.now() - HOUR_MS, 10 * 60_000);
      await bus.publish(topic, week.records);
    }, 60_000);
    afterAll(async () => {
      for (const s of running) await s.stop();
      await bus.stop();
      await database.drop();
    });

    let firstRead: Map<string, StoredHour>;

    test("the 1-hour roll-ups equal the roll-ups recomputed from the raw input", async () => {
      const { metrics, url } = await startHistory(uniqueName("hist-a"));
      await eventually(
        "every record stored",
        async () =>
          (await counter(metrics, 'history_records_total{result="stored"}')) === week.records.length ? true : undefined,
        90_000,
      );
      expect(await counter(metrics, 'history_points_total{result="stored"}')).toBe(week.points);
      expect(await counter(metrics, 'history_records_total{result="undecodable"}')).toBe(0);

      firstRead = await storedHours(url, week);
      expect(firstRead.size).toBe(week.hours.size);
      expect(exactFigures(firstRead)).toEqual(expectedFigures(week.hours));
      expect(avgError(firstRead, week.hours)).toBeLessThan(1e-9);
      if (dialect === "postgres") {
        // Roll-ups are computed after the write there: the service's job runs (the week's hours have
        // ended: it rolls up minutes, then hours), and changes no figure a query gives.
        await eventually(
          "hours rolled up",
          async () => ((await counter(metrics, 'history_rollups_total{level="1h"}')) > 0 ? true : undefined),
          30_000,
        );
        expect(await storedHours(url, week)).toEqual(firstRead);
      }
    }, 120_000);

    test("redelivering every record (a second consumer group) changes no stored figure", async () => {
      await running.shift()!.stop();
      const { metrics, url } = await startHistory(uniqueName("hist-b"));
      await eventually(
        "every record seen again",
        async () =>
          (await counter(metrics, 'history_records_total{result="stored"}')) === week.records.length ? true : undefined,
        90_000,
      );
      expect(await counter(metrics, 'history_points_total{result="stored"}')).toBe(0);
      expect(await counter(metrics, 'history_points_total{result="duplicate"}')).toBe(week.points);
      expect(await storedHours(url, week)).toEqual(firstRead);
    }, 120_000);
  });
}
