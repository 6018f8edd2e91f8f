/** What a registration is, as every part of the service sees it. */
import type { Platform, Status } from "@iot/common/wire";

// The enums are part of the wire contract: readers elsewhere (the dashboard, enrichment) show them.
export { PLATFORMS, type Platform, STATUSES, type Status } from "@iot/common/wire";

export const MAX_DEVICE_TYPES = 50;

/** What a webhook may be limited to (the `event_type` of the records). */
export const EVENT_TYPES = ["telemetry", "trends"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** A registration as any reader sees it: there is no api key here, by construction. */
export interface Application {
  id: string;
  name: string;
  description: string | null;
  version: string;
  developer: string;
  contactEmail: string;
  category: string | null;
  platform: Platform | null;
  deviceTypes: string[];
  status: Status;
  /** Where the delivery service POSTs this application's records; null: no webhook. */
  webhookUrl?: string | null;
  /** The webhook receives only these event types; empty: all. */
  webhookEventTypes?: EventType[];
  createdAt: Date;
  updatedAt: Date;
}

/** The fields a client supplies when registering. */
export type NewApplication = Pick<
  Application,
  | "name"
  | "description"
  | "version"
  | "developer"
  | "contactEmail"
  | "category"
  | "platform"
  | "deviceTypes"
  | "webhookUrl"
  | "webhookEventTypes"
>;

/** A partial update: a field that is absent keeps its value. */
export type ApplicationPatch = Partial<NewApplication & Pick<Application, "status">>;

/** Exact-match filters (absent: any) and a page. */
export interface ApplicationQuery {
  status?: Status;
  platform?: Platform;
  category?: string;
  /** Registered for exactly this device type. */
  deviceType?: string;
  limit: number;
  offset: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs (the registry makes them): any other string names no application. */
export const isApplicationId = (id: string) => UUID.test(id);

/** The key that makes names unique regardless of case (a unique index in both databases). */
export const nameKey = (name: string) => name.normalize("NFC").toLowerCase();
