/**
 * Protobuf ↔ device domain, decoded once against the devices' field rules (devices/device-input.ts)
 * and reported by proto field names. DEVICE_STATUS_UNSPECIFIED means "not given".
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  CreateDeviceRequest,
  DeviceCredentialSchema,
  DeviceSchema,
  ImportResultSchema,
  ListDevicesRequest,
  UpdateDeviceRequest,
  WatchDevicesResponseSchema,
} from "@gen/iot/registry/v1/devices_pb";
import {
  CreateDeviceRequestSchema,
  DeviceStatus,
  GetDeviceRequestSchema,
  ImportOutcome,
  ListDevicesRequestSchema,
  UpdateDeviceRequestSchema,
} from "@gen/iot/registry/v1/devices_pb";
import { ChangeType } from "@gen/iot/registry/v1/registry_pb";
import type {
  Device,
  DeviceChange,
  DeviceCredential,
  DevicePatch,
  DeviceQuery,
  DeviceStatus as Status,
  NewDevice,
} from "../devices/device";
import { deviceIdInput, devicePatch, deviceQuery, newDevice } from "../devices/device-input";
import type { ImportResult, ImportRow } from "../devices/devices";
import type { FeedEvent } from "../feed-watch";
import { fieldErrorText, ValidationError } from "../errors";
import { inMessage } from "./message-input";

const wire = {
  newDevice: inMessage(newDevice, CreateDeviceRequestSchema),
  devicePatch: inMessage(devicePatch, UpdateDeviceRequestSchema),
  deviceQuery: inMessage(deviceQuery, ListDevicesRequestSchema),
  deviceId: inMessage(deviceIdInput, GetDeviceRequestSchema),
};

const STATUS: Record<Status, DeviceStatus> = { enabled: DeviceStatus.ENABLED, disabled: DeviceStatus.DISABLED };
const OUTCOME = {
  created: ImportOutcome.CREATED,
  unchanged: ImportOutcome.UNCHANGED,
  error: ImportOutcome.ERROR,
} as const;
const CHANGE = { created: ChangeType.CREATED, updated: ChangeType.UPDATED, deleted: ChangeType.DELETED } as const;

/** The domain's name for a status; UNSPECIFIED is absent; an unknown number passes on for the rule to reject. */
const statusIn = (s: DeviceStatus) =>
  s === DeviceStatus.UNSPECIFIED ? undefined : ((Object.keys(STATUS) as Status[]).find((k) => STATUS[k] === s) ?? s);

export const deviceOut = (d: Device): MessageInitShape<typeof DeviceSchema> => ({
  deviceId: d.deviceId,
  deviceType: d.deviceType,
  name: d.name,
  labels: d.labels,
  status: STATUS[d.status],
  createdAt: timestampFromDate(d.createdAt),
  updatedAt: timestampFromDate(d.updatedAt),
});

const credentialOut = (c: DeviceCredential): MessageInitShape<typeof DeviceCredentialSchema> => ({
  ...c,
  status: STATUS[c.status],
});

export const newDeviceIn = (r: CreateDeviceRequest): NewDevice =>
  wire.newDevice.decode({
    deviceId: r.deviceId,
    deviceType: r.deviceType,
    name: r.name,
    labels: r.labels,
    status: statusIn(r.status),
  });

export const devicePatchIn = (r: UpdateDeviceRequest): DevicePatch =>
  wire.devicePatch.decode({
    deviceType: r.deviceType,
    name: r.name,
    labels: r.labels?.values,
    // UNSPECIFIED is not a status one can set: passed on for the rule to reject.
    status: r.status === undefined ? undefined : (statusIn(r.status) ?? r.status),
  });

export const deviceQueryIn = (r: ListDevicesRequest): DeviceQuery =>
  wire.deviceQuery.decode({
    deviceType: r.deviceType,
    status: statusIn(r.status),
    labels: r.labels.length > 0 ? r.labels : undefined,
    search: r.search,
    limit: r.limit,
    offset: r.offset,
  });

export const deviceIdIn = (r: { deviceId: string }) => wire.deviceId.decode({ deviceId: r.deviceId }).deviceId;

/** Each request row decoded on its own: a bad row is that row's error, as in a REST import. */
export const importRowsIn = (rows: CreateDeviceRequest[]): ImportRow[] =>
  rows.map((r) => {
    try {
      return { ok: newDeviceIn(r) };
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return { error: fieldErrorText(e.details), deviceId: r.deviceId.slice(0, 128) };
    }
  });

export const importResultOut = (r: ImportResult): MessageInitShape<typeof ImportResultSchema> => ({
  index: r.index,
  deviceId: r.deviceId,
  outcome: OUTCOME[r.outcome],
  error: r.outcome === "error" ? r.error : "",
  token: r.outcome === "created" ? r.token : "",
});

export function deviceWatchOut(
  e: FeedEvent<DeviceCredential, DeviceChange>,
): MessageInitShape<typeof WatchDevicesResponseSchema> {
  if (e.type === "snapshot") return { event: { case: "snapshot", value: { devices: e.items.map(credentialOut) } } };
  return {
    event: { case: "change", value: { type: CHANGE[e.change.type], device: credentialOut(e.change.credential) } },
  };
}
