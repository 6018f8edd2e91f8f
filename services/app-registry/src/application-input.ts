/**
 * The rules of every input the registry takes, in one place. REST (src/http/rest-input.ts) and
 * RPC (src/rpc/convert.ts) decode against these at their edge; the OpenAPI document is built from
 * them too. The domain (registry.ts) receives the typed, valid result.
 */
import type { ApplicationPatch, ApplicationQuery, NewApplication } from "./application";
import { EVENT_TYPES, MAX_DEVICE_TYPES, PLATFORMS, STATUSES } from "./application";
import { defineInput, definePatch, optional, required, withDefault } from "./input";
import {
  deviceTypeId,
  deviceTypeList,
  email,
  enumList,
  integer,
  nonEmpty,
  nullAsEmpty,
  oneOf,
  optionalHttpUrl,
  optionalText,
  orNull,
  text,
  visibleText,
} from "./rules";

export const newApplication = defineInput<NewApplication>({
  name: required(visibleText(1, 100), "unique, case-insensitively"),
  description: withDefault(optionalText(Infinity, { multiline: true }), () => null),
  version: required(text(1, 20)),
  developer: required(visibleText(1, 100)),
  contactEmail: required(email),
  category: withDefault(optionalText(50), () => null),
  platform: withDefault(orNull(oneOf(PLATFORMS)), () => null),
  deviceTypes: withDefault(
    nullAsEmpty(deviceTypeList(MAX_DEVICE_TYPES)),
    () => [],
    "exact device-type ids; duplicates are dropped",
  ),
  webhookUrl: withDefault(
    optionalHttpUrl(2048),
    () => null,
    "http(s) URL the delivery service POSTs signed batches of records to (Standard Webhooks); null: none",
  ),
  webhookEventTypes: withDefault(
    nullAsEmpty(enumList(EVENT_TYPES)),
    () => [],
    "event types the webhook receives; empty: all",
  ),
});

/** Any field of a registration, and the status; null clears an optional field. */
export const applicationPatch = definePatch<ApplicationPatch>({
  ...newApplication.fields,
  status: optional(oneOf(STATUSES)),
});

export const applicationQuery = defineInput<ApplicationQuery>({
  status: optional(oneOf(STATUSES), "exact match"),
  platform: optional(oneOf(PLATFORMS), "exact match"),
  category: optional(text(0, 50), "exact match"),
  deviceType: optional(deviceTypeId, "registered for exactly this device type"),
  limit: withDefault(integer(1, 1000), () => 100, "page size"),
  offset: withDefault(integer(0), () => 0, "items to skip"),
});

/** One device type (by-device-type). */
export const deviceTypeQuery = defineInput<{ deviceType: string }>({ deviceType: required(deviceTypeId) });

/** Several device types, at least one (by-device-types). */
export const deviceTypesQuery = defineInput<{ deviceTypes: string[] }>({
  deviceTypes: required(nonEmpty(deviceTypeList(MAX_DEVICE_TYPES))),
});

/** Watch: device types to follow; none means all. */
export const watchQuery = defineInput<{ deviceTypes: string[] }>({
  deviceTypes: withDefault(deviceTypeList(MAX_DEVICE_TYPES), () => []),
});
