/** A series result as CSV (RFC 4180), one row per metric and point. */
import type { SeriesResult } from "../query";

const HEADER = "device_id,metric,level,time,count,avg,min,max,last";

/** Quotes what needs it, and defuses text a spreadsheet would run as a formula (device ids are device-supplied). */
export function csvField(v: string): string {
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(r: SeriesResult): string {
  const lines = [HEADER];
  const device = csvField(r.deviceId);
  for (const s of r.series)
    for (const p of s.points)
      lines.push(
        [device, s.metric, r.level, new Date(p.t).toISOString(), p.count ?? "", p.avg, p.min, p.max, p.last].join(","),
      );
  return `${lines.join("\r\n")}\r\n`;
}
