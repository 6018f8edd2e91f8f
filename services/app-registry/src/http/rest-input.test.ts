/** The registry's field rules as REST callers meet them: snake_case JSON in, typed domain input out. */
import { describe, expect, test } from "bun:test";
import { validationDetails } from "../validation-details.test-support";
import { restInput } from "./rest-input";

const valid = { name: "App", version: "1.0.0", developer: "Dev", contact_email: "dev@example.com" };
const register = (body: unknown) => restInput.newApplication.parse(body);
const patch = (body: unknown) => restInput.applicationPatch.parse(body);
const query = (q: unknown) => restInput.applicationQuery.parse(q);

describe("registration", () => {
  test("fills the optional fields and trims text", () => {
    expect(register({ ...valid, name: "  App  ", description: "   ", category: "" })).toEqual({
      name: "App",
      version: "1.0.0",
      developer: "Dev",
      contactEmail: "dev@example.com",
      description: null,
      category: null,
      platform: null,
      deviceTypes: [],
      webhookUrl: null,
      webhookEventTypes: [],
    });
  });

  test("names every missing required field with the seed's message", () => {
    expect(validationDetails(() => register({}))).toEqual({
      name: ["Missing data for required field."],
      version: ["Missing data for required field."],
      developer: ["Missing data for required field."],
      contact_email: ["Missing data for required field."],
    });
  });

  test("length limits: name 1–100, version 1–20, developer 1–100, category ≤ 50", () => {
    expect(
      register({ ...valid, name: "n".repeat(100), version: "v".repeat(20), category: "c".repeat(50) }).name,
    ).toHaveLength(100);
    expect(
      validationDetails(() =>
        register({ ...valid, name: "n".repeat(101), version: "", developer: " ", category: "c".repeat(51) }),
      ),
    ).toEqual({
      name: ["Length must be between 1 and 100."],
      version: ["Length must be between 1 and 20."],
      developer: ["Length must be between 1 and 100."],
      category: ["Longer than maximum length 50."],
    });
  });

  test("types, e-mail, platform, nulls and unknown fields", () => {
    expect(
      validationDetails(() =>
        register({
          ...valid,
          name: 5,
          contact_email: "a@b",
          platform: "tv",
          version: null,
          api_key: "x",
          status: "active",
        }),
      ),
    ).toEqual({
      name: ["Not a valid string."],
      contact_email: ["Not a valid email address."],
      platform: ["Must be one of: web, mobile, desktop, api."],
      version: ["Field may not be null."],
      api_key: ["Unknown field."],
      status: ["Unknown field."],
    });
    for (const body of [null, [], "x", 1])
      expect(validationDetails(() => register(body))).toEqual({ _schema: ["Invalid input type."] });
    const inherited = JSON.parse(
      `{"toString": 1, "__proto__": {}, "name": "A", "version": "1", "developer": "d", "contact_email": "a@b.co"}`,
    );
    const details = validationDetails(() => register(inherited));
    expect(Object.keys(details)).toEqual(["toString", "__proto__"]);
    expect(JSON.stringify(details)).toBe('{"toString":["Unknown field."],"__proto__":["Unknown field."]}');
  });

  test("the domain's own names are not REST's: contactEmail and deviceTypes are unknown fields", () => {
    expect(validationDetails(() => register({ ...valid, contactEmail: "a@b.co", deviceTypes: [] }))).toEqual({
      contactEmail: ["Unknown field."],
      deviceTypes: ["Unknown field."],
    });
  });

  test("device types: exact ids, de-duplicated in order, at most 50", () => {
    expect(register({ ...valid, devicetypes: ["b_type", "a_type", "b_type"] }).deviceTypes).toEqual([
      "b_type",
      "a_type",
    ]);
    expect(register({ ...valid, devicetypes: null }).deviceTypes).toEqual([]);
    expect(register({ ...valid, devicetypes: Array.from({ length: 50 }, (_, i) => `t${i}`) }).deviceTypes).toHaveLength(
      50,
    );
    expect(
      validationDetails(() => register({ ...valid, devicetypes: Array.from({ length: 51 }, (_, i) => `t${i}`) }))
        .devicetypes,
    ).toEqual(["At most 50 device types."]);
    for (const bad of ["%", "smart_%", "Smart", "1meter", "", "a".repeat(65), 7])
      expect(validationDetails(() => register({ ...valid, devicetypes: [bad] })).devicetypes?.[0]).toStartWith(
        "Not a valid device type id",
      );
  });
});

describe("update", () => {
  test("regression: a key named __proto__ is an unknown field, not a silently empty update", () => {
    const details = validationDetails(() => patch(JSON.parse('{"__proto__": {"status": "inactive"}}')));
    expect(Object.keys(details)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(details)).toBe(Object.prototype);
  });

  test("keeps only what the body names; null clears optional fields", () => {
    expect(patch({ version: "2" })).toEqual({ version: "2" });
    expect(patch({ description: null, platform: null, devicetypes: [] })).toEqual({
      description: null,
      platform: null,
      deviceTypes: [],
    });
    expect(patch({})).toEqual({});
  });

  test("status is one of active|inactive|pending; required fields may not become null", () => {
    expect(patch({ status: "pending" })).toEqual({ status: "pending" });
    expect(validationDetails(() => patch({ status: "gone", name: null, contact_email: null }))).toEqual({
      status: ["Must be one of: active, inactive, pending."],
      name: ["Field may not be null."],
      contact_email: ["Field may not be null."],
    });
  });
});

describe("list query", () => {
  test("defaults: limit 100, offset 0, no filter", () => {
    expect(query({})).toEqual({ limit: 100, offset: 0 });
  });

  test("exact filters and numbers from query strings; other keys are ignored", () => {
    expect(
      query({
        status: "active",
        platform: "api",
        category: "x",
        device_type: "smart_meter",
        limit: "1000",
        offset: "5",
        utm: "x",
      }),
    ).toEqual({
      status: "active",
      platform: "api",
      category: "x",
      deviceType: "smart_meter",
      limit: 1000,
      offset: 5,
    });
  });

  test("rejects out-of-range or malformed values", () => {
    expect(
      Object.keys(
        validationDetails(() => query({ limit: "1001", offset: "-1", status: "x", platform: "y", device_type: "%" })),
      ),
    ).toEqual(["status", "platform", "device_type", "limit", "offset"]);
    for (const limit of [0, "0", "1.5", "ten", 2.5])
      expect(validationDetails(() => query({ limit })).limit).toBeDefined();
  });
});

test("device type queries: one exact id; a non-empty list, de-duplicated", () => {
  expect(restInput.deviceType.parse({ device_type: "smart_breaker" })).toEqual({ deviceType: "smart_breaker" });
  expect(validationDetails(() => restInput.deviceType.parse({ device_type: "smart%" })).device_type).toBeDefined();
  expect(restInput.deviceTypes.parse({ device_types: ["a", "b", "a"] })).toEqual({ deviceTypes: ["a", "b"] });
  expect(validationDetails(() => restInput.deviceTypes.parse({ device_types: [] })).device_types).toEqual([
    "Must be a non-empty list.",
  ]);
  expect(validationDetails(() => restInput.deviceTypes.parse({ device_types: "a" })).device_types).toEqual([
    "Not a valid list.",
  ]);
  expect(validationDetails(() => restInput.deviceTypes.parse({})).device_types).toEqual([
    "Missing data for required field.",
  ]);
});

test("the OpenAPI schemas come from the same rules: required fields, limits, enums, nullability", () => {
  const schema = restInput.newApplication.schema() as {
    required: string[];
    properties: Record<string, Record<string, unknown>>;
    additionalProperties: boolean;
  };
  expect(schema.required).toEqual(["name", "version", "developer", "contact_email"]);
  expect(schema.additionalProperties).toBe(false);
  expect(Object.keys(schema.properties)).toEqual([
    "name",
    "description",
    "version",
    "developer",
    "contact_email",
    "category",
    "platform",
    "devicetypes",
    "webhook_url",
    "webhook_event_types",
  ]);
  expect(schema.properties.name).toMatchObject({ type: "string", minLength: 1, maxLength: 100 });
  expect(schema.properties.category).toMatchObject({ type: ["string", "null"], maxLength: 50, default: null });
  expect(schema.properties.platform).toMatchObject({
    type: ["string", "null"],
    enum: ["web", "mobile", "desktop", "api", null],
  });
  expect(schema.properties.devicetypes).toMatchObject({ type: ["array", "null"], maxItems: 50, default: [] });
  expect(restInput.applicationPatch.schema()).not.toHaveProperty("required");
  expect((restInput.applicationQuery.properties() as Record<string, object>).limit).toEqual({
    type: "integer",
    minimum: 1,
    maximum: 1000,
    default: 100,
    description: "page size",
  });
});

test("encode is parse's inverse: a domain registration as the REST body that registers it", () => {
  const app = register({ ...valid, platform: "web", devicetypes: ["smart_meter"] });
  expect(restInput.newApplication.encode(app)).toMatchObject({
    contact_email: "dev@example.com",
    devicetypes: ["smart_meter"],
  });
  expect(register(restInput.newApplication.encode(app))).toEqual(app);
});
