/** Device storage; SQLite and PostgreSQL implement it with the same behaviour. */
import type { Device, DeviceCredential, DevicePatch, DeviceQuery } from "../devices/device";

export type DeviceFilter = Omit<DeviceQuery, "limit" | "offset">;

/** A new row: the device plus what only storage (and the credential Watch) sees. */
export type DeviceInsert = Device & { tokenSha256: string };

export interface ImportOutcome {
  /** Ids inserted by this chunk. */
  created: Set<string>;
  /** Rows that already existed (by id), as stored, for the caller to compare. */
  existing: Map<string, Device>;
}

export interface DeviceRepository {
  /** Throws DuplicateDeviceError when the id is taken. */
  insert(row: DeviceInsert): Promise<Device>;
  get(deviceId: string): Promise<Device | undefined>;
  /** Ordered by creation time, then id (stable across pages). */
  find(filter: DeviceFilter, page: { limit: number; offset: number }): Promise<Device[]>;
  count(filter: DeviceFilter): Promise<number>;
  /** Atomic; undefined when there is no such device. */
  update(
    deviceId: string,
    changes: DevicePatch & { updatedAt: Date },
  ): Promise<{ device: Device; credential: DeviceCredential } | undefined>;
  setTokenHash(deviceId: string, tokenSha256: string, updatedAt: Date): Promise<DeviceCredential | undefined>;
  /** The credential as it was, or undefined. */
  delete(deviceId: string): Promise<DeviceCredential | undefined>;
  /** Every device's credential (the Watch snapshot). */
  credentials(): Promise<DeviceCredential[]>;
  /** In one transaction: inserts the rows whose id is free, reports the others as stored. */
  importChunk(rows: DeviceInsert[]): Promise<ImportOutcome>;
  close(): Promise<void>;
}
