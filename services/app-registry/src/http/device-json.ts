import type { Device } from "../devices/device";
import type { ImportResult } from "../devices/devices";

/** A device as REST answers it; the token appears only beside it, in create/regenerate/import replies. */
export const deviceJson = (d: Device) => ({
  device_id: d.deviceId,
  device_type: d.deviceType,
  name: d.name,
  labels: d.labels,
  status: d.status,
  created_at: d.createdAt.toISOString(),
  updated_at: d.updatedAt.toISOString(),
});

export type DeviceJson = ReturnType<typeof deviceJson>;

export const importResultJson = (r: ImportResult) => ({
  index: r.index,
  device_id: r.deviceId,
  outcome: r.outcome,
  ...(r.outcome === "error" ? { error: r.error } : {}),
  ...(r.outcome === "created" ? { token: r.token } : {}),
});
