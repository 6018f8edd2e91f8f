import { describe, expect, test } from "bun:test";
import { ValidationError } from "./errors";
import { parseDeviceType, parseDeviceTypes, parseListQuery, parseRegistration, parseUpdate } from "./validation";

const valid = { name: "App", version: "1.0.0", developer: "Dev", contact_email: "dev@example.com" };
const detailsOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.details;
    throw e;
  }
  throw new Error("expected a ValidationError");
};

describe("parseRegistration", () => {
  test("fills the optional fields and trims text", () => {
    expect(parseRegistration({ ...valid, name: "  App  ", description: "   ", category: "" })).toEqual({
      name: "App", version: "1.0.0", developer: "Dev", contactEmail: "dev@example.com",
      description: null, category: null, platform: null, deviceTypes: [],
    });
  });

  test("names every missing required field with the seed's message", () => {
    expect(detailsOf(() => parseRegistration({}))).toEqual({
      name: ["Missing data for required field."],
      version: ["Missing data for required field."],
      developer: ["Missing data for required field."],
      contact_email: ["Missing data for required field."],
    });
  });

  test("length limits: name 1–100, version 1–20, developer 1–100, category ≤ 50", () => {
    expect(parseRegistration({ ...valid, name: "n".repeat(100), version: "v".repeat(20), category: "c".repeat(50) }).name).toHaveLength(100);
    expect(detailsOf(() => parseRegistration({ ...valid, name: "n".repeat(101), version: "", developer: " ", category: "c".repeat(51) }))).toEqual({
      name: ["Length must be between 1 and 100."],
      version: ["Length must be between 1 and 20."],
      developer: ["Length must be between 1 and 100."],
      category: ["Longer than maximum length 50."],
    });
  });

  test("types, e-mail, platform, nulls and unknown fields", () => {
    expect(detailsOf(() => parseRegistration({ ...valid, name: 5, contact_email: "a@b", platform: "tv", version: null, api_key: "x", status: "active" }))).toEqual({
      name: ["Not a valid string."],
      contact_email: ["Not a valid email address."],
      platform: ["Must be one of: web, mobile, desktop, api."],
      version: ["Field may not be null."],
      api_key: ["Unknown field."],
      status: ["Unknown field."],
    });
    for (const body of [null, [], "x", 1]) expect(detailsOf(() => parseRegistration(body))).toEqual({ _schema: ["Invalid input type."] });
    const inherited = JSON.parse(`{"toString": 1, "__proto__": {}, "name": "A", "version": "1", "developer": "d", "contact_email": "a@b.co"}`);
    expect(detailsOf(() => parseRegistration(inherited))).toEqual({ toString: ["Unknown field."], __proto__: ["Unknown field."] });
  });

  test("device types: exact ids, de-duplicated in order, at most 50", () => {
    expect(parseRegistration({ ...valid, devicetypes: ["b_type", "a_type", "b_type"] }).deviceTypes).toEqual(["b_type", "a_type"]);
    expect(parseRegistration({ ...valid, devicetypes: null }).deviceTypes).toEqual([]);
    expect(parseRegistration({ ...valid, devicetypes: Array.from({ length: 50 }, (_, i) => `t${i}`) }).deviceTypes).toHaveLength(50);
    expect(detailsOf(() => parseRegistration({ ...valid, devicetypes: Array.from({ length: 51 }, (_, i) => `t${i}`) })).devicetypes).toEqual(["At most 50 device types."]);
    for (const bad of ["%", "smart_%", "Smart", "1meter", "", "a".repeat(65), 7])
      expect(detailsOf(() => parseRegistration({ ...valid, devicetypes: [bad] })).devicetypes?.[0]).toStartWith("Not a valid device type id");
  });
});

describe("parseUpdate", () => {
  test("keeps only what the body names; null clears optional fields", () => {
    expect(parseUpdate({ version: "2" })).toEqual({ version: "2" });
    expect(parseUpdate({ description: null, platform: null, devicetypes: [] })).toEqual({ description: null, platform: null, deviceTypes: [] });
    expect(parseUpdate({})).toEqual({});
  });

  test("status is one of active|inactive|pending; required fields may not become null", () => {
    expect(parseUpdate({ status: "pending" })).toEqual({ status: "pending" });
    expect(detailsOf(() => parseUpdate({ status: "gone", name: null, contact_email: null }))).toEqual({
      status: ["Must be one of: active, inactive, pending."],
      name: ["Field may not be null."],
      contact_email: ["Field may not be null."],
    });
  });
});

describe("parseListQuery", () => {
  test("defaults: limit 100, offset 0, no filter", () => {
    expect(parseListQuery({})).toEqual({ filter: {}, page: { limit: 100, offset: 0 } });
  });

  test("exact filters and numbers from query strings or RPC integers", () => {
    expect(parseListQuery({ status: "active", platform: "api", category: "x", device_type: "smart_meter", limit: "1000", offset: 5 })).toEqual({
      filter: { status: "active", platform: "api", category: "x", deviceTypes: ["smart_meter"] },
      page: { limit: 1000, offset: 5 },
    });
  });

  test("rejects out-of-range or malformed values", () => {
    expect(Object.keys(detailsOf(() => parseListQuery({ limit: "1001", offset: "-1", status: "x", platform: "y", device_type: "%" })))).toEqual([
      "status", "platform", "device_type", "limit", "offset",
    ]);
    for (const limit of [0, "0", "1.5", "ten", 2.5]) expect(detailsOf(() => parseListQuery({ limit })).limit).toBeDefined();
  });
});

test("parseDeviceType and parseDeviceTypes", () => {
  expect(parseDeviceType("smart_breaker")).toBe("smart_breaker");
  expect(detailsOf(() => parseDeviceType("smart%")).device_type).toBeDefined();
  expect(parseDeviceTypes(["a", "b", "a"])).toEqual(["a", "b"]);
  expect(detailsOf(() => parseDeviceTypes([])).device_types).toEqual(["Must be a non-empty list."]);
  expect(parseDeviceTypes([], { nonEmpty: false })).toEqual([]);
  expect(detailsOf(() => parseDeviceTypes(undefined)).device_types).toEqual(["Not a valid list."]);
});
