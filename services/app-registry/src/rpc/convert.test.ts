import { expect, test } from "bun:test";
import { validationDetails } from "../validation-details.test-support";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  ApplicationStatus,
  GetApplicationRequestSchema,
  ListApplicationsByDeviceTypeRequestSchema,
  ListApplicationsByDeviceTypesRequestSchema,
  ListApplicationsRequestSchema,
  Platform,
  RegisterApplicationRequestSchema,
  UpdateApplicationRequestSchema,
  WatchApplicationsRequestSchema,
} from "@gen/iot/registry/v1/registry_pb";
import type { Application } from "../application";
import { newApplication } from "../application-input";
import {
  applicationOut,
  applicationPatchIn,
  applicationQueryIn,
  deviceTypeIn,
  deviceTypesIn,
  newApplicationIn,
  watchIn,
} from "./convert";
import { inMessage } from "./message-input";

test("an application: null text → empty string, null platform → UNSPECIFIED, dates → timestamps", () => {
  const at = new Date("2026-01-02T03:04:05.678Z");
  const app: Application = {
    id: "i",
    name: "n",
    description: null,
    version: "1",
    developer: "d",
    contactEmail: "a@b.co",
    category: null,
    platform: null,
    deviceTypes: ["smart_meter"],
    status: "pending",
    createdAt: at,
    updatedAt: at,
  };
  const out = applicationOut(app, { contact: true });
  expect(out).toMatchObject({
    description: "",
    category: "",
    platform: Platform.UNSPECIFIED,
    status: ApplicationStatus.PENDING,
  });
  expect(timestampDate(out.createdAt as never)).toEqual(at);
  expect(applicationOut({ ...app, platform: "desktop" }, { contact: true }).platform).toBe(Platform.DESKTOP);
});

test("the contact e-mail goes out only to admins", () => {
  const at = new Date();
  const app: Application = {
    id: "i",
    name: "n",
    description: null,
    version: "1",
    developer: "d",
    contactEmail: "a@b.co",
    category: null,
    platform: null,
    deviceTypes: [],
    status: "active",
    createdAt: at,
    updatedAt: at,
  };
  expect([
    applicationOut(app, { contact: true }).contactEmail,
    applicationOut(app, { contact: false }).contactEmail,
  ]).toEqual(["a@b.co", ""]);
});

test("a registration becomes the domain's NewApplication; UNSPECIFIED platform and empty text mean none", () => {
  const req = create(RegisterApplicationRequestSchema, {
    name: "n",
    developer: "d",
    version: "1",
    contactEmail: "a@b.co",
    deviceTypes: ["x"],
    platform: Platform.MOBILE,
  });
  expect(newApplicationIn(req)).toEqual({
    name: "n",
    developer: "d",
    version: "1",
    contactEmail: "a@b.co",
    deviceTypes: ["x"],
    platform: "mobile",
    description: null,
    category: null,
    webhookUrl: null,
    webhookEventTypes: [],
  });
  expect(
    newApplicationIn(create(RegisterApplicationRequestSchema, { ...req, platform: Platform.UNSPECIFIED })).platform,
  ).toBeNull();
});

test("a bad request names its fields as the proto does", () => {
  expect(
    validationDetails(() =>
      newApplicationIn(
        create(RegisterApplicationRequestSchema, {
          contactEmail: "nope",
          deviceTypes: ["Bad"],
          platform: 9 as Platform,
        }),
      ),
    ),
  ).toEqual({
    name: ["Length must be between 1 and 100."],
    version: ["Length must be between 1 and 20."],
    developer: ["Length must be between 1 and 100."],
    contact_email: ["Not a valid email address."],
    platform: ["Must be one of: web, mobile, desktop, api."],
    device_types: ['Not a valid device type id (expected ^[a-z][a-z0-9_]{0,63}$): "Bad".'],
  });
  expect(
    Object.keys(
      validationDetails(() => applicationQueryIn(create(ListApplicationsRequestSchema, { deviceType: "%", limit: 0 }))),
    ),
  ).toEqual(["device_type", "limit"]);
  expect(validationDetails(() => deviceTypesIn(create(ListApplicationsByDeviceTypesRequestSchema, {})))).toEqual({
    device_types: ["Must be a non-empty list."],
  });
});

test("an update names only the fields the request sets; UNSPECIFIED is not a status", () => {
  expect(applicationPatchIn(create(UpdateApplicationRequestSchema, { id: "i", version: "2" }))).toEqual({
    version: "2",
  });
  expect(
    applicationPatchIn(
      create(UpdateApplicationRequestSchema, { id: "i", deviceTypes: { values: [] }, platform: Platform.UNSPECIFIED }),
    ),
  ).toEqual({
    deviceTypes: [],
    platform: null,
  });
  expect(
    applicationPatchIn(create(UpdateApplicationRequestSchema, { id: "i", status: ApplicationStatus.INACTIVE })).status,
  ).toBe("inactive");
  expect(
    validationDetails(() =>
      applicationPatchIn(create(UpdateApplicationRequestSchema, { id: "i", status: ApplicationStatus.UNSPECIFIED })),
    ),
  ).toEqual({
    status: ["Must be one of: active, inactive, pending."],
  });
});

test("list filters: UNSPECIFIED enums and unset optionals mean any; the page has its defaults", () => {
  expect(applicationQueryIn(create(ListApplicationsRequestSchema, {}))).toEqual({ limit: 100, offset: 0 });
  expect(
    applicationQueryIn(
      create(ListApplicationsRequestSchema, {
        status: ApplicationStatus.ACTIVE,
        platform: Platform.API,
        limit: 5,
        deviceType: "smart_meter",
      }),
    ),
  ).toEqual({
    status: "active",
    platform: "api",
    deviceType: "smart_meter",
    limit: 5,
    offset: 0,
  });
});

test("device types: Watch may ask for none (all); by-device-type takes one exact id", () => {
  expect(watchIn(create(WatchApplicationsRequestSchema, { deviceTypes: ["a", "a"] }))).toEqual(["a"]);
  expect(watchIn(create(WatchApplicationsRequestSchema, {}))).toEqual([]);
  expect(deviceTypeIn(create(ListApplicationsByDeviceTypeRequestSchema, { deviceType: "smart_meter" }))).toBe(
    "smart_meter",
  );
});

test("an input whose field the message lacks is refused when the edge is built", () => {
  expect(() => inMessage(newApplication, GetApplicationRequestSchema)).toThrow(
    "iot.registry.v1.GetApplicationRequest has no field for name",
  );
});
