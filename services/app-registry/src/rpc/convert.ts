/**
 * Protobuf ↔ domain. Requests become the REST-shaped input the domain validates, so both
 * transports share every rule; an enum's UNSPECIFIED means "not given".
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  ApplicationSchema,
  ListApplicationsRequest,
  RegisterApplicationRequest,
  UpdateApplicationRequest,
  WatchApplicationsResponseSchema,
} from "@gen/iot/registry/v1/registry_pb";
import { ApplicationStatus, ChangeType, Platform } from "@gen/iot/registry/v1/registry_pb";
import { nameOfProto, PROTO_PLATFORM as platforms, PROTO_STATUS as statuses } from "@iot/common/wire";
import type { Application } from "../application";
import type { ChangeType as DomainChangeType } from "../change-feed";
import type { WatchEvent } from "../watch";

const changes: Record<DomainChangeType, ChangeType> = { created: ChangeType.CREATED, updated: ChangeType.UPDATED, deleted: ChangeType.DELETED };

/** The domain's name for an enum number; an unknown number passes through for validation to reject. */
const nameOf = <T extends string>(table: Record<T, number>, value: number): T | number => nameOfProto(table, value) ?? value;
const platformIn = (p: Platform) => (p === Platform.UNSPECIFIED ? null : nameOf(platforms, p));
const statusIn = (s: ApplicationStatus) => (s === ApplicationStatus.UNSPECIFIED ? undefined : nameOf(statuses, s));

export const applicationOut = (a: Application): MessageInitShape<typeof ApplicationSchema> => ({
  id: a.id,
  name: a.name,
  developer: a.developer,
  description: a.description ?? "",
  platform: a.platform === null ? Platform.UNSPECIFIED : platforms[a.platform],
  category: a.category ?? "",
  deviceTypes: a.deviceTypes,
  version: a.version,
  contactEmail: a.contactEmail,
  status: statuses[a.status],
  createdAt: timestampFromDate(a.createdAt),
  updatedAt: timestampFromDate(a.updatedAt),
});

export const registrationIn = (r: RegisterApplicationRequest) => ({
  name: r.name,
  developer: r.developer,
  description: r.description,
  platform: platformIn(r.platform),
  category: r.category,
  devicetypes: r.deviceTypes,
  version: r.version,
  contact_email: r.contactEmail,
});

/** Only the fields the request sets: the rest keep their values. */
export function updateIn(r: UpdateApplicationRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const set = (field: string, value: unknown) => value !== undefined && (out[field] = value);
  set("name", r.name);
  set("developer", r.developer);
  set("description", r.description);
  set("platform", r.platform === undefined ? undefined : platformIn(r.platform));
  set("category", r.category);
  set("devicetypes", r.deviceTypes?.values);
  set("version", r.version);
  set("contact_email", r.contactEmail);
  // UNSPECIFIED is not a status one can set: pass it on for validation to reject.
  set("status", r.status === undefined ? undefined : (statusIn(r.status) ?? r.status));
  return out;
}

export const listQueryIn = (r: ListApplicationsRequest) => ({
  status: statusIn(r.status),
  platform: r.platform === Platform.UNSPECIFIED ? undefined : nameOf(platforms, r.platform),
  category: r.category,
  device_type: r.deviceType,
  limit: r.limit,
  offset: r.offset,
});

export function watchEventOut(e: WatchEvent): MessageInitShape<typeof WatchApplicationsResponseSchema> {
  if (e.type === "snapshot") return { event: { case: "snapshot", value: { applications: e.applications.map(applicationOut) } } };
  return { event: { case: "change", value: { type: changes[e.change.type], application: applicationOut(e.change.application) } } };
}
