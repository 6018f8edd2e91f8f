/**
 * A seeded fleet replayed over a simulated week: the simulator's own device models (the default
 * mix) sampled every `intervalMs` with trends windows of the same length, enriched by the real
 * enrichment function, half JSON and half protobuf. Also the 1-hour figures recomputed straight
 * from that input, to compare with what history stored.
 */
import type { OutgoingRecord } from "@iot/common/bus";
import { encodeEnrichedEvent, timestampNow } from "@iot/common/codec";
import { loadDeviceRegistry } from "@iot/common/device-registry";
import type { DeviceEvent, JsonValue } from "@iot/common/telemetry";
import { buildProfiles } from "../../../enrichment/src/device-profile";
import { enrich } from "../../../enrichment/src/enrich";
import { DEFAULT_DEVICES } from "../../../simulator/src/config";
import { createFleet } from "../../../simulator/src/fleet";

export const WEEK_MS = 7 * 24 * 3_600_000;
const HOUR_MS = 3_600_000;
const root = new URL("../../../../", import.meta.url).pathname;

export interface HourFigure {
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  lastTs: number;
}

export async function fleetWeek(endMs: number, intervalMs: number) {
  const registry = await loadDeviceRegistry(`${root}config/device-registry.json`);
  const startMs = Math.floor((endMs - WEEK_MS) / HOUR_MS) * HOUR_MS;
  const fleet = createFleet({
    devices: DEFAULT_DEVICES,
    registry,
    seed: "history-week",
    intervalMs,
    trendsIntervalSec: intervalMs / 1000,
    burst: false,
    model: { anomalyRate: 0.01, recloseSeconds: 30 },
    startMs,
  });
  const events: DeviceEvent[] = [];
  fleet.advance(startMs + WEEK_MS, (e) => (events.push(e), true));
  const ctx = {
    profiles: buildProfiles(registry),
    registrations: () => ({ applications: [], current: true }),
    service: "test",
    version: "0",
    enrichedAt: timestampNow(endMs),
  };
  const records: OutgoingRecord[] = events.map((e, i) => {
    const { value, headers } = encodeEnrichedEvent(enrich(e, ctx), i % 2 === 0 ? "json" : "protobuf");
    return { key: e.device_id, value, headers };
  });

  // device → metric → hour → figure, from the input alone.
  const hours = new Map<string, HourFigure>();
  const add = (key: string, ts: number, v: number) => {
    const f = hours.get(key);
    if (!f) return void hours.set(key, { count: 1, sum: v, min: v, max: v, last: v, lastTs: ts });
    f.count++;
    f.sum += v;
    f.min = Math.min(f.min, v);
    f.max = Math.max(f.max, v);
    if (ts >= f.lastTs) [f.last, f.lastTs] = [v, ts];
  };
  const leaves = (prefix: string, v: JsonValue, out: Array<[string, number]>) => {
    if (typeof v === "number") out.push([prefix, v]);
    else if (v && typeof v === "object" && !Array.isArray(v))
      for (const [k, x] of Object.entries(v)) leaves(`${prefix}.${k}`, x, out);
  };
  let points = 0;
  for (const e of events) {
    if (e.event_type !== "telemetry") continue;
    const ts = Date.parse(e.timestamp);
    const found: Array<[string, number]> = [];
    for (const [g, v] of Object.entries(e.measurements)) leaves(g, v, found);
    for (const [metric, v] of found) add(`${e.device_id}|${metric}|${Math.floor(ts / HOUR_MS) * HOUR_MS}`, ts, v);
    points += found.length;
  }
  return { records, events, hours, points, startMs, endMs: startMs + WEEK_MS + HOUR_MS };
}
