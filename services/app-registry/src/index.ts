/** What other services (enrichment, dashboard, the all-in-one, their tests) use from the registry. */
export { appRegistryService, createAppRegistry } from "./app-registry";
export type { AppRegistry, AppRegistryDeps } from "./app-registry";
export type { Application, EventType, Platform, Status } from "./application";
export { EVENT_TYPES } from "./application";
export type { ApplicationJson } from "./http/json";
export { createChangeFeed, touches } from "./change-feed";
export type { ApplicationChange, ChangeFeed, ChangeListener, ChangeType } from "./change-feed";
export { loadConfig } from "./config";
export type { RegistryConfig } from "./config";
export type { Registry } from "./registry";
export type { WatchEvent } from "./watch";
// The delivery service guards its operator actions the same way the registry guards writes.
export { createWriteGuard, type WriteGuard } from "./auth";
export { PermissionDeniedError, UnauthenticatedError } from "./errors";
export type { Device, DeviceChange, DeviceCredential, DeviceStatus } from "./devices/device";
export { DEVICE_ID } from "./devices/device";
export type { Devices } from "./devices/devices";
export { tokenMatches, tokenSha256 } from "./devices/device-token";
export type { DeviceJson } from "./http/device-json";
