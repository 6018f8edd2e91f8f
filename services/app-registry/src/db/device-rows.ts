/** What both device repositories share: row mapping, filters, order, conflict detection. */
import type { Column, SQL } from "drizzle-orm";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Device } from "../devices/device";
import type { DeviceFilter } from "./device-repository";
import type { devices } from "./sqlite-device-schema";

/** Identical in both dialects. */
export type DeviceRow = typeof devices.$inferSelect;

type Columns = { [K in keyof DeviceRow]: Column };

export function toDevice(row: DeviceRow): Device {
  const { tokenSha256: _hash, ...device } = row;
  return device;
}

/** The two things the dialects spell differently. */
export interface DeviceDialect {
  /** The device carries every one of these labels. */
  hasLabels(labels: Record<string, string>): SQL;
  /** Position of a substring, 0 when absent: a plain substring match (no LIKE, so `%` and `_` are literal). */
  position(haystack: SQL, needle: string): SQL;
}

export function deviceWhere(t: Columns, filter: DeviceFilter, { hasLabels, position }: DeviceDialect): SQL | undefined {
  const { deviceType, status, labels, search } = filter;
  const needle = search?.toLowerCase();
  return and(
    deviceType === undefined ? undefined : eq(t.deviceType, deviceType),
    status === undefined ? undefined : eq(t.status, status),
    labels === undefined || Object.keys(labels).length === 0 ? undefined : hasLabels(labels),
    needle === undefined
      ? undefined
      : sql`(${position(sql`lower(${t.deviceId})`, needle)} > 0 or ${position(sql`lower(${t.name})`, needle)} > 0)`,
  );
}

export const deviceOrder = (t: Columns) => [asc(t.createdAt), asc(t.deviceId)];

export function isDeviceConflict(e: unknown): boolean {
  for (let cur: unknown = e; cur instanceof Error; cur = cur.cause) {
    const { code, constraint_name } = cur as { code?: unknown; constraint_name?: unknown };
    if (code === "23505" && constraint_name === "devices_pkey") return true;
    if (
      (code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE") &&
      cur.message.includes("devices.device_id")
    )
      return true;
  }
  return false;
}
