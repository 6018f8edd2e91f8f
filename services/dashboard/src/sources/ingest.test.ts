import { expect, test } from "bun:test";
import type { Batch } from "@iot/common/bus";
import { encodeEnrichedEvent } from "@iot/common/codec";
import { createMetrics, parseMetrics } from "@iot/common/metrics";
import { enriched, telemetry, testConfig } from "../../test/fixtures";
import { createDashboardState } from "../state/dashboard-state";
import { createIngest } from "./ingest";

test("a record the state cannot take in becomes a visible problem entry; the batch is not rethrown", async () => {
  const config = testConfig();
  const state = createDashboardState(config);
  const record = state.devices.record;
  state.devices.record = (e) => {
    if (e.device_id === "hostile") throw new TypeError("state could not take it");
    record(e);
  };
  const metrics = createMetrics();
  let changes = 0;
  const handle = createIngest({ topics: config.bus.topics, state, metrics, changed: () => changes++, feedSize: 10 });
  const batch: Batch = {
    topic: config.bus.topics.enriched,
    partition: 0,
    records: ["ok-1", "hostile", "ok-2"].map((id, i) => ({
      topic: config.bus.topics.enriched,
      partition: 0,
      offset: String(i),
      key: id,
      timestamp: 0,
      ...encodeEnrichedEvent(enriched(telemetry(id, Date.UTC(2026, 0, 1), 117)), "json"),
      headers: { "content-type": "application/json" },
    })),
  };

  await handle(batch);

  expect(state.devices.size).toBe(2);
  expect(changes).toBe(1);
  const problems = state.feed.newest("enriched").filter((e) => e.problem);
  expect(problems.map((e) => [e.key, e.problem?.reason, e.problem?.message])).toEqual([
    ["hostile", "dashboard_failed", "state could not take it"],
  ]);
  const counted = [...parseMetrics(await metrics.render())].filter(
    ([k]) => k.startsWith("dashboard_undecodable_total") && k.includes('reason="dashboard_failed"'),
  );
  expect(counted.map(([, v]) => v)).toEqual([1]);
});
