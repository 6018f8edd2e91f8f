/**
 * The OpenAPI description. Request bodies are decoded by rest-input.ts, not by Elysia, so the
 * schemas reach the document through route `detail`; they are generated from the same field
 * rules that decode (application-input.ts), never written here.
 */
import { openapi } from "@elysiajs/openapi";
import type { JsonSchema } from "../rules";
import { restInput } from "./rest-input";

// The plugin emits OpenAPI 3.1, but its `documentation` typing is 3.0's (no `type: [..., "null"]`).
type Documentation = NonNullable<NonNullable<Parameters<typeof openapi>[0]>["documentation"]>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: object) => ({ "application/json": { schema } });
export const reply = (description: string, schema: object) => ({ description, content: json(schema) });

/** Each field of an input as an optional query parameter (its description beside the schema, where OpenAPI wants it). */
export const queryParameters = (properties: Record<string, JsonSchema>) =>
  Object.entries(properties).map(([name, { description, ...schema }]) => ({
    name,
    in: "query",
    required: false,
    schema,
    description: description as string | undefined,
  }));

const fields = restInput.applicationPatch.properties();
const application = {
  type: "object",
  required: ["id", ...Object.keys(fields).filter((f) => f !== "contact_email"), "created_at", "updated_at"],
  properties: {
    id: { type: "string", format: "uuid" },
    ...fields,
    contact_email: {
      ...fields.contact_email,
      description: "Only in replies to admins (the admin token; with no token configured, loopback callers)",
    },
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
};
const deviceTypes = restInput.deviceTypes.properties().device_types!;
const list = (extra: object) => ({
  type: "object",
  properties: { applications: { type: "array", items: ref("Application") }, count: { type: "integer" }, ...extra },
});

const schemas = {
  Application: application,
  Registration: restInput.newApplication.schema(),
  Update: restInput.applicationPatch.schema(),
  ValidationFailed: {
    type: "object",
    properties: {
      error: { const: "Validation failed" },
      details: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } },
    },
  },
  Error: { type: "object", properties: { error: { type: "string" }, code: { type: "string" } } },
};

const errors = {
  400: reply("Validation failed, or malformed JSON", ref("ValidationFailed")),
  401: reply("Writes need `Authorization: Bearer <REGISTRY_ADMIN_TOKEN>`", ref("Error")),
  403: reply("Wrong token, or a remote write with no token configured", ref("Error")),
  404: reply("Application not found (any id that is not a UUID, too)", ref("Error")),
  409: reply("Name already taken (case-insensitive), code DUPLICATE_NAME", ref("Error")),
  413: reply("Body over 64 KiB", ref("Error")),
  415: reply("Content-Type is not application/json (every write needs it, even without a body)", ref("Error")),
};
const pick = (...codes: (keyof typeof errors)[]) => Object.fromEntries(codes.map((c) => [c, errors[c]]));
const object = (properties: object) => ({ type: "object", properties });
const text = { type: "string" };
const write = { security: [{ bearer: [] }] };
const body = (schema: object) => ({ required: true, content: json(schema) });
const matches = (extra: object) => ({ 200: reply("Matches", list(extra)), ...pick(400) });

export const docs = {
  register: {
    ...write,
    summary: "Register an application; the response is the only read that shows api_key",
    requestBody: body(ref("Registration")),
    responses: {
      201: reply(
        "Registered",
        object({
          message: text,
          application: { allOf: [ref("Application"), object({ api_key: text, webhook_secret: text })] },
        }),
      ),
      ...pick(400, 401, 403, 409, 413, 415),
    },
  },
  list: {
    summary: "List applications (exact filters, stable order)",
    parameters: queryParameters(restInput.applicationQuery.properties()),
    responses: { 200: reply("A page; `total` counts all matches", list({ total: { type: "integer" } })), ...pick(400) },
  },
  get: {
    summary: "One application",
    responses: { 200: reply("Found", object({ application: ref("Application") })), ...pick(404) },
  },
  update: {
    ...write,
    summary: "Partial update: fields not named keep their values",
    requestBody: body(ref("Update")),
    responses: {
      200: reply("Updated", object({ message: text, application: ref("Application") })),
      ...pick(400, 401, 403, 404, 409, 413, 415),
    },
  },
  remove: {
    ...write,
    summary: "Delete an application",
    responses: { 200: reply("Deleted", object({ message: text })), ...pick(401, 403, 404, 415) },
  },
  regenerate: {
    ...write,
    summary: "New api key (shown once; only its hash is kept)",
    responses: { 200: reply("Regenerated", object({ message: text, new_api_key: text })), ...pick(401, 403, 404, 415) },
  },
  rotateWebhookSecret: {
    ...write,
    summary: "New webhook signing secret (shown once); the old one stops signing at once",
    responses: { 200: reply("Rotated", object({ message: text, webhook_secret: text })), ...pick(401, 403, 404) },
  },
  deliveryCredentials: {
    ...write,
    summary: "For the delivery service: the webhook signing secret and the api key's SHA-256",
    responses: {
      200: reply("Credentials", object({ api_key_sha256: text, webhook_secret: { type: ["string", "null"] } })),
      ...pick(401, 403, 404),
    },
  },
  // Its path parameter is documented by the plugin itself (from the route), which replaces any given here.
  byDeviceType: {
    summary: "Active applications registered for exactly this device type",
    responses: matches({ device_type: text }),
  },
  byDeviceTypes: {
    summary: "Active applications registered for any of these device types, each once",
    requestBody: body(restInput.deviceTypes.schema()),
    responses: { ...matches({ device_types: deviceTypes }), ...pick(413, 415) },
  },
  deviceTypes: {
    summary: "The device types of config/device-registry.json",
    responses: { 200: reply("Device types", { type: "object" }) },
  },
  health: { summary: "Liveness, as the seed answered it", responses: { 200: reply("Alive", { type: "object" }) } },
};

export const openapiDocs = () =>
  openapi({
    // The UI is openapi-ui.ts, from local assets: the plugin's own pages load scripts from a CDN.
    provider: null,
    documentation: {
      info: {
        title: "App Registry",
        version: "1.0.0",
        description:
          "Applications register interest in device types; devices are registered with a token before ingest lets them in. The same operations, plus WatchApplications and WatchDevices, are served as Connect, gRPC and gRPC-Web on the RPC port.",
      },
      components: { schemas, securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    } as unknown as Documentation,
  });
