/**
 * The OpenAPI description. Request bodies are validated by the domain (shared with RPC), not by
 * Elysia, so schemas are declared here as documentation (route `detail`), not as validators.
 */
import { openapi } from "@elysiajs/openapi";
import { DEVICE_TYPE_ID } from "@iot/common/device-registry";
import { MAX_DEVICE_TYPES, PLATFORMS, STATUSES } from "../application";

// The plugin emits OpenAPI 3.1, but its `documentation` typing is 3.0's (no `type: [..., "null"]`).
type Documentation = NonNullable<NonNullable<Parameters<typeof openapi>[0]>["documentation"]>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ "application/json": { schema } });
const reply = (description: string, schema: object) => ({ description, content: json(schema) });

const deviceTypes = { type: "array", maxItems: MAX_DEVICE_TYPES, items: { type: "string", pattern: DEVICE_TYPE_ID.source } };
const fields = {
  name: { type: "string", minLength: 1, maxLength: 100 },
  description: { type: ["string", "null"] },
  version: { type: "string", minLength: 1, maxLength: 20 },
  developer: { type: "string", minLength: 1, maxLength: 100 },
  contact_email: { type: "string", format: "email" },
  category: { type: ["string", "null"], maxLength: 50 },
  platform: { type: ["string", "null"], enum: [...PLATFORMS, null] },
  devicetypes: deviceTypes,
};
const application = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    ...fields,
    status: { type: "string", enum: STATUSES },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
};
const list = (extra: object) => ({
  type: "object",
  properties: { applications: { type: "array", items: ref("Application") }, count: { type: "integer" }, ...extra },
});

const schemas = {
  Application: application,
  Registration: { type: "object", additionalProperties: false, required: ["name", "version", "developer", "contact_email"], properties: fields },
  Update: { type: "object", additionalProperties: false, properties: { ...fields, status: { type: "string", enum: STATUSES } } },
  ValidationFailed: {
    type: "object",
    properties: { error: { const: "Validation failed" }, details: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } },
  },
  Error: { type: "object", properties: { error: { type: "string" }, code: { type: "string" } } },
};

const errors = {
  400: reply("Validation failed, or malformed JSON", ref("ValidationFailed")),
  401: reply("Writes need `Authorization: Bearer <REGISTRY_ADMIN_TOKEN>`", ref("Error")),
  403: reply("Wrong token, or a remote write with no token configured", ref("Error")),
  404: reply("Application not found", ref("Error")),
  409: reply("Name already taken (case-insensitive), code DUPLICATE_NAME", ref("Error")),
  413: reply("Body over 64 KiB", ref("Error")),
  415: reply("Content-Type is not application/json", ref("Error")),
};
const pick = (...codes: (keyof typeof errors)[]) => Object.fromEntries(codes.map((c) => [c, errors[c]]));
const object = (properties: object) => ({ type: "object", properties });
const text = { type: "string" };
const write = { security: [{ bearer: [] }] };
const body = (schema: object) => ({ required: true, content: json(schema) });
const query = (name: string, schema: object, description: string) => ({ name, in: "query", required: false, schema, description });
const matches = (extra: object) => ({ 200: reply("Matches", list(extra)), ...pick(400) });

export const docs = {
  register: {
    ...write,
    summary: "Register an application; the response is the only read that shows api_key",
    requestBody: body(ref("Registration")),
    responses: {
      201: reply("Registered", object({ message: text, application: { allOf: [ref("Application"), object({ api_key: text })] } })),
      ...pick(400, 401, 403, 409, 413, 415),
    },
  },
  list: {
    summary: "List applications (exact filters, stable order)",
    parameters: [
      query("status", { type: "string", enum: STATUSES }, "exact match"),
      query("platform", { type: "string", enum: PLATFORMS }, "exact match"),
      query("category", text, "exact match"),
      query("device_type", { type: "string", pattern: DEVICE_TYPE_ID.source }, "registered for exactly this device type"),
      query("limit", { type: "integer", minimum: 1, maximum: 1000, default: 100 }, "page size"),
      query("offset", { type: "integer", minimum: 0, default: 0 }, "items to skip"),
    ],
    responses: { 200: reply("A page; `total` counts all matches", list({ total: { type: "integer" } })), ...pick(400) },
  },
  get: { summary: "One application", responses: { 200: reply("Found", object({ application: ref("Application") })), ...pick(404) } },
  update: {
    ...write,
    summary: "Partial update: fields not named keep their values",
    requestBody: body(ref("Update")),
    responses: {
      200: reply("Updated", object({ message: text, application: ref("Application") })),
      ...pick(400, 401, 403, 404, 409, 413, 415),
    },
  },
  remove: { ...write, summary: "Delete an application", responses: { 200: reply("Deleted", object({ message: text })), ...pick(401, 403, 404) } },
  regenerate: {
    ...write,
    summary: "New api key (shown once; only its hash is kept)",
    responses: { 200: reply("Regenerated", object({ message: text, new_api_key: text })), ...pick(401, 403, 404) },
  },
  byDeviceType: { summary: "Active applications registered for exactly this device type", responses: matches({ device_type: text }) },
  byDeviceTypes: {
    summary: "Active applications registered for any of these device types, each once",
    requestBody: body({ type: "object", required: ["device_types"], properties: { device_types: { ...deviceTypes, minItems: 1 } } }),
    responses: { ...matches({ device_types: deviceTypes }), ...pick(413, 415) },
  },
  deviceTypes: { summary: "The device types of config/device-registry.json", responses: { 200: reply("Device types", { type: "object" }) } },
  health: { summary: "Liveness, as the seed answered it", responses: { 200: reply("Alive", { type: "object" }) } },
};

export const openapiDocs = () =>
  openapi({
    documentation: {
      info: {
        title: "App Registry",
        version: "1.0.0",
        description: "Applications register interest in device types. The same operations, plus WatchApplications, are served as Connect, gRPC and gRPC-Web on the RPC port.",
      },
      components: { schemas, securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    } as unknown as Documentation,
  });
