import { describe, expect, test } from "bun:test";
import type { EnrichedEvent } from "@iot/common/telemetry";
import { extract, isMetricName, metricNames, trendNaming } from "./points";

const enrichment = {
  device_metadata: {} as EnrichedEvent["device_metadata"],
  application_registry: { device_type: "smart_breaker", registered_applications_count: 0, applications: [] },
  enrichment_info: {} as EnrichedEvent["enrichment_info"],
  data_quality: { out_of_range: [], missing_groups: [] },
};
const telemetry = (measurements: Record<string, unknown>) =>
  ({
    device_id: "breaker-042",
    device_type: "smart_breaker",
    timestamp: "2026-11-20T10:00:00.250000Z",
    event_type: "telemetry",
    measurements,
    ...enrichment,
  }) as EnrichedEvent;
const naming = trendNaming((type) =>
  type === "smart_breaker" ? ["voltage", "power", "power_factor", "frequency"] : undefined,
);
const T = Date.parse("2026-11-20T10:00:00.250Z");

describe("telemetry points", () => {
  test("every numeric leaf is a metric named by its path; units are labels, not readings", () => {
    const got = extract(
      telemetry({
        voltage: { phase_a: 120.1, phase_b: 119, unit: "V" },
        frequency: { value: 60 },
        power: { active: 0 },
      }),
      naming,
    );
    expect(got.points).toEqual([
      { deviceId: "breaker-042", metric: "voltage.phase_a", ts: T, value: 120.1 },
      { deviceId: "breaker-042", metric: "voltage.phase_b", ts: T, value: 119 },
      { deviceId: "breaker-042", metric: "frequency.value", ts: T, value: 60 },
      { deviceId: "breaker-042", metric: "power.active", ts: T, value: 0 },
    ]);
    expect(got.skipped).toEqual({});
  });

  test("text, booleans, nulls and lists are skipped and counted, never stored as 0", () => {
    const got = extract(telemetry({ status: { state: "closed", ok: true, gone: null, list: [1, 2], n: 1 } }), naming);
    expect(got.points.map((p) => p.metric)).toEqual(["status.n"]);
    expect(got.skipped).toEqual({ non_numeric: 3, missing: 1 });
  });

  test("a metric name that is too long or has odd characters is refused and counted", () => {
    const got = extract(telemetry({ "volt age": { a: 1 }, v: { ["x".repeat(200)]: 2, "<b>": 3, ok: 4 } }), naming);
    expect(got.points.map((p) => p.metric)).toEqual(["v.ok"]);
    expect(got.skipped).toEqual({ bad_metric: 3 });
    expect(isMetricName("voltage.phase_a")).toBe(true);
    expect(isMetricName("voltage..phase_a")).toBe(false);
  });

  test('names remembered across records give the same answers, a group named "" included', () => {
    const names = metricNames(3); // a small limit: the memory starts over several times below
    const event = telemetry({ "": { a: 1 }, v: { a: 2, "<b>": 3 }, w: 4 });
    for (let i = 0; i < 3; i++) {
      const got = extract(event, naming, names);
      expect(got.points.map((p) => [p.metric, p.value])).toEqual([
        ["v.a", 2],
        ["w", 4],
      ]);
      expect(got.skipped).toEqual({ bad_metric: 2 });
    }
  });
});

describe("trend windows", () => {
  test("a trend's name maps to its telemetry metric through the registry's groups, longest group first", () => {
    expect(naming("smart_breaker", "voltage_phase_a")).toBe("voltage.phase_a");
    expect(naming("smart_breaker", "power_factor_x")).toBe("power_factor.x");
    expect(naming("smart_breaker", "power_active")).toBe("power.active");
    expect(naming("smart_breaker", "unknown_thing")).toBe("unknown_thing");
    expect(naming("other_type", "voltage_phase_a")).toBe("voltage_phase_a");
  });

  test("trends become 5-minute windows at their start time; non-numbers are skipped", () => {
    const event = {
      device_id: "breaker-042",
      device_type: "smart_breaker",
      timestamp: "2026-11-20T10:00:00.000000Z",
      event_type: "trends",
      trends: [
        { c: "voltage_phase_a", v: 120, avg: 119.5, min: 118, max: 121, t: 1_795_687_200 },
        { c: "frequency_value", v: "x", avg: 60, min: 60, max: 60, t: 1_795_687_200 },
      ],
      ...enrichment,
    } as unknown as EnrichedEvent;
    const got = extract(event, naming);
    expect(got.trends).toEqual([
      {
        deviceId: "breaker-042",
        metric: "voltage.phase_a",
        ts: 1_795_687_200_000,
        avg: 119.5,
        min: 118,
        max: 121,
        last: 120,
      },
    ]);
    expect(got.skipped).toEqual({ non_numeric: 1 });
  });
});
