/** What a device record is, as every part of the registry sees it. */

export const DEVICE_STATUSES = ["enabled", "disabled"] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];

/** The id used on the bus (the record key of iot.raw), and the MQTT username. */
export const DEVICE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Labels are small, indexed-by-nobody metadata; these bounds keep a row (and a bulk file) bounded. */
export const MAX_LABELS = 32;
/** No `:` (the list filter is `label=k:v`), `=` or `;` (the CSV form is `k=v;k=v`). */
export const LABEL_KEY = /^[A-Za-z0-9._/-]{1,63}$/;
export const MAX_LABEL_VALUE = 256;

/** A device as any reader sees it: there is no token or token hash here, by construction. */
export interface Device {
  deviceId: string;
  deviceType: string;
  name: string;
  labels: Record<string, string>;
  status: DeviceStatus;
  createdAt: Date;
  updatedAt: Date;
}

export type NewDevice = Pick<Device, "deviceId" | "deviceType" | "name" | "labels" | "status">;

/** A partial update: a field that is absent keeps its value; labels, when given, replace them all. */
export type DevicePatch = Partial<Pick<Device, "deviceType" | "name" | "labels" | "status">>;

export interface DeviceQuery {
  deviceType?: string;
  status?: DeviceStatus;
  /** Every one of these must be among the device's labels. */
  labels?: Record<string, string>;
  /** Case-insensitive substring of the id or the name. */
  search?: string;
  limit: number;
  offset: number;
}

/** What an ingest gateway needs to authenticate a device offline. Only the registry's RPC Watch carries it. */
export interface DeviceCredential {
  deviceId: string;
  deviceType: string;
  status: DeviceStatus;
  tokenSha256: string;
}

export const credentialOf = ({ deviceId, deviceType, status, tokenSha256 }: DeviceCredential): DeviceCredential => ({
  deviceId,
  deviceType,
  status,
  tokenSha256,
});

export type DeviceChange = { type: "created" | "updated" | "deleted"; credential: DeviceCredential };

/** Whether an import row asks for exactly what is stored (then it is "unchanged"). */
export function sameDevice(a: NewDevice, b: NewDevice): boolean {
  const la = Object.entries(a.labels).sort(([x], [y]) => (x < y ? -1 : 1));
  const lb = Object.entries(b.labels).sort(([x], [y]) => (x < y ? -1 : 1));
  return (
    a.deviceType === b.deviceType &&
    a.name === b.name &&
    a.status === b.status &&
    JSON.stringify(la) === JSON.stringify(lb)
  );
}
