/**
 * Each device input field's rule, in one place: REST (../http/rest-input.ts), RPC
 * (../rpc/device-convert.ts), CSV import and the OpenAPI document all decode against these.
 */
import { defineInput, definePatch, optional, required, withDefault } from "../input";
import { deviceTypeId, integer, oneOf, text } from "../rules";
import type { DevicePatch, DeviceQuery, NewDevice } from "./device";
import { DEVICE_STATUSES } from "./device";
import { deviceId, labelFilters, labels } from "./device-rules";

export const MAX_DEVICE_NAME = 200;

export const newDevice = defineInput<NewDevice>({
  deviceId: required(deviceId, "the id used on the bus and as MQTT username; unique"),
  deviceType: required(deviceTypeId, "a type of config/device-registry.json"),
  name: withDefault(text(0, MAX_DEVICE_NAME), () => ""),
  labels: withDefault(labels, () => ({}), "free-form string → string"),
  status: withDefault(oneOf(DEVICE_STATUSES), () => "enabled" as const),
});

export const devicePatch = definePatch<DevicePatch>({
  deviceType: optional(deviceTypeId),
  name: optional(text(0, MAX_DEVICE_NAME)),
  labels: optional(labels, "replaces all labels"),
  status: optional(oneOf(DEVICE_STATUSES), "disabled devices are refused by ingest within a second"),
});

export const deviceQuery = defineInput<DeviceQuery>({
  deviceType: optional(deviceTypeId, "exact match"),
  status: optional(oneOf(DEVICE_STATUSES), "exact match"),
  labels: optional(labelFilters, "key:value; repeat for several (all must match)"),
  search: optional(text(1, 128), "case-insensitive substring of the id or name"),
  limit: withDefault(integer(1, 1000), () => 100, "page size"),
  offset: withDefault(integer(0), () => 0, "items to skip"),
});

export const deviceIdInput = defineInput<{ deviceId: string }>({ deviceId: required(deviceId) });
