/**
 * Protobuf ↔ domain. A request is decoded once, against the domain's field rules
 * (application-input.ts), into the domain's typed input. The proto's local names are the
 * domain's own (camelCase), so only values change here (enums, empty strings, wrappers), and a
 * bad field is reported by its proto name. An enum's UNSPECIFIED means "not given".
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type {
  ApplicationSchema,
  ListApplicationsByDeviceTypeRequest,
  ListApplicationsByDeviceTypesRequest,
  ListApplicationsRequest,
  RegisterApplicationRequest,
  UpdateApplicationRequest,
  WatchApplicationsRequest,
  WatchApplicationsResponseSchema,
} from "@gen/iot/registry/v1/registry_pb";
import {
  ApplicationStatus,
  ChangeType,
  ListApplicationsByDeviceTypeRequestSchema,
  ListApplicationsByDeviceTypesRequestSchema,
  ListApplicationsRequestSchema,
  Platform,
  RegisterApplicationRequestSchema,
  UpdateApplicationRequestSchema,
  WatchApplicationsRequestSchema,
} from "@gen/iot/registry/v1/registry_pb";
import type { Application, ApplicationPatch, ApplicationQuery, NewApplication } from "../application";
import {
  applicationPatch,
  applicationQuery,
  deviceTypeQuery,
  deviceTypesQuery,
  newApplication,
  watchQuery,
} from "../application-input";
import { nameOfProto, PROTO_PLATFORM as platforms, PROTO_STATUS as statuses } from "@iot/common/wire";
import type { ChangeType as DomainChangeType } from "../change-feed";
import type { WatchEvent } from "../watch";
import { inMessage } from "./message-input";

/** Each input as its request message spells it. */
const wire = {
  newApplication: inMessage(newApplication, RegisterApplicationRequestSchema),
  applicationPatch: inMessage(applicationPatch, UpdateApplicationRequestSchema),
  applicationQuery: inMessage(applicationQuery, ListApplicationsRequestSchema),
  deviceType: inMessage(deviceTypeQuery, ListApplicationsByDeviceTypeRequestSchema),
  deviceTypes: inMessage(deviceTypesQuery, ListApplicationsByDeviceTypesRequestSchema),
  watch: inMessage(watchQuery, WatchApplicationsRequestSchema),
};

const changes: Record<DomainChangeType, ChangeType> = {
  created: ChangeType.CREATED,
  updated: ChangeType.UPDATED,
  deleted: ChangeType.DELETED,
};

/** The domain's name for an enum number; an unknown number passes through for validation to reject. */
const nameOf = <T extends string>(table: Record<T, number>, value: number): T | number =>
  nameOfProto(table, value) ?? value;
const platformIn = (p: Platform) => (p === Platform.UNSPECIFIED ? null : nameOf(platforms, p));
const statusIn = (s: ApplicationStatus) => (s === ApplicationStatus.UNSPECIFIED ? undefined : nameOf(statuses, s));

/** How a reply shows applications: the contact e-mail (personal data) only to admins; otherwise it is empty. */
export interface Shown {
  contact: boolean;
}

export const applicationOut = (a: Application, { contact }: Shown): MessageInitShape<typeof ApplicationSchema> => ({
  id: a.id,
  name: a.name,
  developer: a.developer,
  description: a.description ?? "",
  platform: a.platform === null ? Platform.UNSPECIFIED : platforms[a.platform],
  category: a.category ?? "",
  deviceTypes: a.deviceTypes,
  version: a.version,
  contactEmail: contact ? a.contactEmail : "",
  status: statuses[a.status],
  createdAt: timestampFromDate(a.createdAt),
  updatedAt: timestampFromDate(a.updatedAt),
  webhookUrl: a.webhookUrl ?? "",
  webhookEventTypes: a.webhookEventTypes ?? [],
});

export const newApplicationIn = (r: RegisterApplicationRequest): NewApplication =>
  wire.newApplication.decode({
    name: r.name,
    developer: r.developer,
    description: r.description,
    platform: platformIn(r.platform),
    category: r.category,
    deviceTypes: r.deviceTypes,
    version: r.version,
    contactEmail: r.contactEmail,
    webhookUrl: r.webhookUrl,
    webhookEventTypes: r.webhookEventTypes,
  });

/** Only the fields the request sets: the rest keep their values. */
export const applicationPatchIn = (r: UpdateApplicationRequest): ApplicationPatch =>
  wire.applicationPatch.decode({
    name: r.name,
    developer: r.developer,
    description: r.description,
    platform: r.platform === undefined ? undefined : platformIn(r.platform),
    category: r.category,
    deviceTypes: r.deviceTypes?.values,
    version: r.version,
    contactEmail: r.contactEmail,
    // UNSPECIFIED is not a status one can set: passed on for the rule to reject.
    status: r.status === undefined ? undefined : (statusIn(r.status) ?? r.status),
    webhookUrl: r.webhookUrl,
    webhookEventTypes: r.webhookEventTypes?.values,
  });

export const applicationQueryIn = (r: ListApplicationsRequest): ApplicationQuery =>
  wire.applicationQuery.decode({
    status: statusIn(r.status),
    platform: r.platform === Platform.UNSPECIFIED ? undefined : nameOf(platforms, r.platform),
    category: r.category,
    deviceType: r.deviceType,
    limit: r.limit,
    offset: r.offset,
  });

export const deviceTypeIn = (r: ListApplicationsByDeviceTypeRequest) =>
  wire.deviceType.decode({ deviceType: r.deviceType }).deviceType;
export const deviceTypesIn = (r: ListApplicationsByDeviceTypesRequest) =>
  wire.deviceTypes.decode({ deviceTypes: r.deviceTypes }).deviceTypes;
export const watchIn = (r: WatchApplicationsRequest) => wire.watch.decode({ deviceTypes: r.deviceTypes }).deviceTypes;

export function watchEventOut(e: WatchEvent, shown: Shown): MessageInitShape<typeof WatchApplicationsResponseSchema> {
  if (e.type === "snapshot")
    return {
      event: { case: "snapshot", value: { applications: e.applications.map((a) => applicationOut(a, shown)) } },
    };
  return {
    event: {
      case: "change",
      value: { type: changes[e.change.type], application: applicationOut(e.change.application, shown) },
    },
  };
}
