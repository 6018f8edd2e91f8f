/** Short forms of a device's data shared by the feed, the device list and the device page. */
import type { DataQuality, MeasurementGroup } from "@iot/common/telemetry";
import { breakerState, unitOf } from "../state/readings";
import { absent, num } from "./format";
import { html, type Html } from "./html";

const MAX_KEY_GROUPS = 5;

/**
 * One line per physical measurement (groups that carry a unit): its value, its phases, or its first
 * number — "voltage 117.27 / 112.34 / 114.52 V". Works for any device type.
 */
export function keyReadings(measurements: Record<string, MeasurementGroup> | undefined): Html {
  const parts = Object.entries(measurements ?? {})
    .filter(([, g]) => unitOf(g) !== undefined)
    .slice(0, MAX_KEY_GROUPS)
    .map(([name, g]) => {
      const numbers = Object.entries(g).filter((e): e is [string, number] => typeof e[1] === "number");
      const phases = numbers.filter(([k]) => k.startsWith("phase_"));
      const shown =
        typeof g.value === "number" ? [["", g.value] as const] : phases.length > 0 ? phases : numbers.slice(0, 1);
      if (shown.length === 0) return "";
      const label = shown.length === 1 && shown[0]![0] !== "" ? `${name} ${shown[0]![0]}` : name;
      return html`<span class="reading">${label} ${shown.map(([, v], i) => html`${i > 0 ? " / " : ""}${num(v)}`)} ${unitOf(g)}</span> `;
    });
  return parts.length > 0 ? html`${parts}` : absent("no measurement with a unit");
}

export function breaker(measurements: Record<string, MeasurementGroup> | undefined): Html {
  const state = breakerState(measurements);
  return state ? html`<span class="breaker ${state}">${state}</span>` : absent("no breaker status reported");
}

/** Out-of-range values and missing groups, as enrichment judged them against the device registry. */
export function qualityFlags(q: DataQuality | undefined): Html {
  if (!q) return absent("no telemetry yet");
  if (q.out_of_range.length === 0 && q.missing_groups.length === 0) return html`<span class="ok">ok</span>`;
  return html`${q.out_of_range.map(
    (o) =>
      html`<span class="flag" title="${o.min !== undefined ? `min ${o.min}` : ""}${o.max !== undefined ? ` max ${o.max}` : ""}">${o.field} ${num(o.value)} out of range</span> `,
  )}${q.missing_groups.length > 0 ? html`<span class="flag">missing: ${q.missing_groups.join(", ")}</span>` : ""}`;
}

export const deviceHref = (id: string): string => `/devices/${encodeURIComponent(id)}`;
