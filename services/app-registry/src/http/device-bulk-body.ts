/** The body of `POST /api/devices/bulk`: a JSON array of devices, or CSV (devices/device-csv.ts). */
import { parseDeviceCsv } from "../devices/device-csv";
import type { ImportRow } from "../devices/devices";
import { MAX_IMPORT_ROWS } from "../devices/devices";
import { fieldErrorText, ImportTooLargeError, ValidationError } from "../errors";
import { deviceRestInput } from "./device-rest-input";
import { HttpError } from "./errors";
import { readJson, readText } from "./json-body";

/** 10,000 devices with generous names and labels. */
export const MAX_BULK_BYTES = 16 * 1024 * 1024;

const idOf = (values: unknown) => {
  const id = (values as { device_id?: unknown } | null)?.device_id;
  return typeof id === "string" ? id.slice(0, 128) : undefined;
};

function decodeRow(values: unknown): ImportRow {
  try {
    return { ok: deviceRestInput.newDevice.parse(values) };
  } catch (e) {
    if (e instanceof ValidationError) return { error: fieldErrorText(e.details), deviceId: idOf(values) };
    throw e;
  }
}

export async function readBulkRows(request: Request): Promise<ImportRow[]> {
  const type = request.headers.get("content-type") ?? "";
  if (/^text\/csv\s*(;|$)/i.test(type)) {
    const rows = parseDeviceCsv(await readText(request, MAX_BULK_BYTES));
    if (rows.length > MAX_IMPORT_ROWS) throw new ImportTooLargeError(MAX_IMPORT_ROWS);
    return rows.map((r) => ("error" in r ? r : decodeRow(r.values)));
  }
  const body = await readJson(request, MAX_BULK_BYTES).catch((e) => {
    throw e instanceof HttpError && e.status === 415
      ? new HttpError(415, "Content-Type must be application/json or text/csv")
      : e;
  });
  if (!Array.isArray(body)) throw new ValidationError({ _schema: ["Expected a JSON array of devices."] });
  if (body.length > MAX_IMPORT_ROWS) throw new ImportTooLargeError(MAX_IMPORT_ROWS);
  return body.map((row) => decodeRow(row));
}
