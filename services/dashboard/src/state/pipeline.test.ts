import { expect, test } from "bun:test";
import { createPipelineStore, type PipelineSample } from "./pipeline";

const topics = { raw: "r", enriched: "e", dlq: "d" };
const sample = (at: number, raw: number, enriched: number, dlq: number, lag?: number): PipelineSample => ({
  at,
  topics: [
    { topic: "r", partitions: 6, records: raw, ends: [raw] },
    { topic: "e", partitions: 6, records: enriched, ends: [enriched] },
    { topic: "d", partitions: 6, records: dlq, ends: [dlq] },
  ],
  lag: lag === undefined ? [] : [{ groupId: "enr", topic: "r", lag }],
});

test("derives per-second rates from successive samples", () => {
  const p = createPipelineStore({ topics, enrichmentGroupId: "enr", history: 10 });
  p.record(sample(1_000, 100, 90, 0));
  expect(p.rates()).toEqual([]);
  p.record(sample(3_000, 300, 250, 10));
  p.record(sample(4_000, 400, 350, 10));
  expect(p.rates()).toEqual([
    { t: 3_000, raw: 100, enriched: 80, dlq: 5 },
    { t: 4_000, raw: 100, enriched: 100, dlq: 0 },
  ]);
});

test("balances only when raw = enriched + dead-lettered and enrichment has no lag", () => {
  const p = createPipelineStore({ topics, enrichmentGroupId: "enr", history: 10 });
  expect(p.balance()).toBeUndefined();
  p.record(sample(1, 100, 90, 10, 0));
  expect(p.balance()).toEqual({ raw: 100, enriched: 90, dlq: 10, difference: 0, enrichmentLag: 0, balanced: true });
  p.record(sample(2, 120, 90, 10, 20));
  expect(p.balance()).toMatchObject({ difference: 20, enrichmentLag: 20, balanced: false });
  p.record(sample(3, 120, 110, 10));
  expect(p.balance()).toMatchObject({ difference: 0, enrichmentLag: undefined, balanced: false });
});

test("keeps the last good sample when the broker cannot be asked", () => {
  const p = createPipelineStore({ topics, enrichmentGroupId: "enr", history: 10 });
  p.record(sample(1, 1, 1, 0, 0));
  p.fail("broker unreachable", 2);
  expect(p.latest()?.at).toBe(1);
  expect(p.lastError()).toEqual({ message: "broker unreachable", at: 2 });
  p.record(sample(3, 1, 1, 0, 0));
  expect(p.lastError()).toBeUndefined();
});
