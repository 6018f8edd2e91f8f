/** The devices' part of the OpenAPI document, from the same field rules that decode (devices/device-input.ts). */
import { CSV_COLUMNS } from "../devices/device-csv";
import { MAX_IMPORT_ROWS } from "../devices/devices";
import { deviceRestInput } from "./device-rest-input";
import { json, queryParameters, reply } from "./openapi";

const fields = deviceRestInput.newDevice.properties();
const device = {
  type: "object",
  required: [...Object.keys(fields), "created_at", "updated_at"],
  properties: {
    ...fields,
    created_at: { type: "string", format: "date-time" },
    updated_at: { type: "string", format: "date-time" },
  },
};
const text = { type: "string" as const };
const object = (properties: object) => ({ type: "object", properties });
const error = object({ error: text, code: text, details: { type: "object" } });
const errors = {
  400: reply("Validation failed (the field is named in `details`), unknown device type, or malformed body", error),
  401: reply("Writes need `Authorization: Bearer <REGISTRY_ADMIN_TOKEN>`", error),
  403: reply("Wrong token, or a remote write with no token configured", error),
  404: reply("Device not found", error),
  409: reply("Device id already taken, code DUPLICATE_DEVICE", error),
  413: reply(`Body too large, or more than ${MAX_IMPORT_ROWS} rows (the reply names the limit)`, error),
  415: reply("Unsupported Content-Type", error),
};
const pick = (...codes: (keyof typeof errors)[]) => Object.fromEntries(codes.map((c) => [c, errors[c]]));
const write = { security: [{ bearer: [] }] };
const withToken = (description: string) =>
  reply(
    description,
    object({ message: text, device, token: { ...text, description: "shown once; only its SHA-256 is stored" } }),
  );
const importResult = object({
  index: { type: "integer" },
  device_id: text,
  outcome: { type: "string", enum: ["created", "unchanged", "error"] },
  error: { ...text, description: "for error: the field and why" },
  token: { ...text, description: "for created only, shown once" },
});

export const deviceDocs = {
  create: {
    ...write,
    tags: ["devices"],
    summary: "Provision a device; the response is the only read that shows its token",
    requestBody: { required: true, content: json(deviceRestInput.newDevice.schema()) },
    responses: { 201: withToken("Created"), ...pick(400, 401, 403, 409, 413, 415) },
  },
  list: {
    tags: ["devices"],
    summary: "List devices (filters; stable order: creation time, then id)",
    parameters: queryParameters(deviceRestInput.deviceQuery.properties()),
    responses: {
      200: reply(
        "A page; `total` counts all matches",
        object({ devices: { type: "array", items: device }, count: { type: "integer" }, total: { type: "integer" } }),
      ),
      ...pick(400),
    },
  },
  get: {
    tags: ["devices"],
    summary: "One device (never its token)",
    responses: { 200: reply("Found", object({ device })), ...pick(400, 404) },
  },
  update: {
    ...write,
    tags: ["devices"],
    summary:
      "Partial update (type, name, labels, status); disabling takes effect at every ingest replica within a second",
    requestBody: { required: true, content: json(deviceRestInput.devicePatch.schema()) },
    responses: { 200: reply("Updated", object({ message: text, device })), ...pick(400, 401, 403, 404, 413, 415) },
  },
  remove: {
    ...write,
    tags: ["devices"],
    summary: "Delete a device",
    responses: { 200: reply("Deleted", object({ message: text })), ...pick(401, 403, 404) },
  },
  regenerate: {
    ...write,
    tags: ["devices"],
    summary: "New token (shown once); the old one stops working at every ingest replica within a second",
    responses: { 200: reply("Regenerated", object({ message: text, token: text })), ...pick(401, 403, 404) },
  },
  bulk: {
    ...write,
    tags: ["devices"],
    summary: `Idempotent import of up to ${MAX_IMPORT_ROWS} devices`,
    description:
      `A JSON array of devices (as for create), or \`text/csv\` with a header row of ${CSV_COLUMNS.join(", ")} ` +
      "(device_id and device_type required, any order), labels written `key=value;key=value`. A row equal to the stored " +
      "device is `unchanged`, a new id `created` (its token shown once), anything else an `error` for that row alone.",
    requestBody: {
      required: true,
      content: {
        ...json({ type: "array", maxItems: MAX_IMPORT_ROWS, items: deviceRestInput.newDevice.schema() }),
        "text/csv": { schema: { type: "string" as const } },
      },
    },
    responses: {
      200: reply(
        "Per-row results, in request order",
        object({
          created: { type: "integer" },
          unchanged: { type: "integer" },
          error: { type: "integer" },
          results: { type: "array", items: importResult },
        }),
      ),
      ...pick(400, 401, 403, 413, 415),
    },
  },
};
