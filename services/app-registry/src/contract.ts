/**
 * What services that do not run the registry use from it (the dashboard, delivery): its JSON shapes,
 * the webhook event types and the admin write guard with its errors. A narrow entry point on purpose:
 * the package's index pulls in the whole registry (drizzle, both databases, the RPC server), ~40 MB
 * of modules in every process that imports it.
 */
export { EVENT_TYPES, type EventType } from "./application";
export { createWriteGuard, type WriteGuard } from "./auth";
export type { DeviceJson } from "./http/device-json";
export { PermissionDeniedError, UnauthenticatedError } from "./errors";
export type { ApplicationJson } from "./http/json";
