import { expect, test } from "bun:test";
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import {
  ApplicationStatus,
  ListApplicationsRequestSchema,
  Platform,
  RegisterApplicationRequestSchema,
  UpdateApplicationRequestSchema,
} from "@gen/iot/registry/v1/registry_pb";
import type { Application } from "../application";
import { applicationOut, listQueryIn, registrationIn, updateIn } from "./convert";

test("an application: null text → empty string, null platform → UNSPECIFIED, dates → timestamps", () => {
  const at = new Date("2026-01-02T03:04:05.678Z");
  const app: Application = {
    id: "i", name: "n", description: null, version: "1", developer: "d", contactEmail: "a@b.co", category: null, platform: null,
    deviceTypes: ["smart_meter"], status: "pending", createdAt: at, updatedAt: at,
  };
  const out = applicationOut(app);
  expect(out).toMatchObject({ description: "", category: "", platform: Platform.UNSPECIFIED, status: ApplicationStatus.PENDING });
  expect(timestampDate(out.createdAt as never)).toEqual(at);
  expect(applicationOut({ ...app, platform: "desktop" }).platform).toBe(Platform.DESKTOP);
});

test("a registration becomes the REST-shaped input; UNSPECIFIED platform means none, unknown numbers are passed on", () => {
  const req = create(RegisterApplicationRequestSchema, { name: "n", contactEmail: "a@b.co", deviceTypes: ["x"], platform: Platform.MOBILE });
  expect(registrationIn(req)).toMatchObject({ name: "n", contact_email: "a@b.co", devicetypes: ["x"], platform: "mobile", description: "" });
  expect(registrationIn(create(RegisterApplicationRequestSchema, {})).platform).toBeNull();
  expect(registrationIn(create(RegisterApplicationRequestSchema, { platform: 9 as Platform })).platform).toBe(9);
});

test("an update names only the fields the request sets", () => {
  expect(updateIn(create(UpdateApplicationRequestSchema, { id: "i", version: "2" }))).toEqual({ version: "2" });
  expect(updateIn(create(UpdateApplicationRequestSchema, { id: "i", deviceTypes: { values: [] }, platform: Platform.UNSPECIFIED }))).toEqual({
    devicetypes: [],
    platform: null,
  });
  expect(updateIn(create(UpdateApplicationRequestSchema, { id: "i", status: ApplicationStatus.INACTIVE })).status).toBe("inactive");
  expect(updateIn(create(UpdateApplicationRequestSchema, { id: "i", status: ApplicationStatus.UNSPECIFIED })).status).toBe(ApplicationStatus.UNSPECIFIED);
});

test("list filters: UNSPECIFIED enums and unset optionals mean any", () => {
  expect(listQueryIn(create(ListApplicationsRequestSchema, {}))).toEqual({
    status: undefined, platform: undefined, category: undefined, device_type: undefined, limit: undefined, offset: 0,
  });
  expect(listQueryIn(create(ListApplicationsRequestSchema, { status: ApplicationStatus.ACTIVE, platform: Platform.API, limit: 5 }))).toMatchObject({
    status: "active", platform: "api", limit: 5,
  });
});
