/**
 * The CSV form of a device import: a header row naming columns `device_id,device_type` and
 * optionally `name`, `labels`, `status`, in any order; then one device per line. Fields may be
 * quoted RFC 4180 style ("a, b", "say ""hi"""). `labels` is `key=value;key=value` (so a CSV label
 * value cannot hold `;`; import such devices as JSON). A row that cannot be read is an error for
 * that row alone.
 */
import { ValidationError } from "../errors";

export const CSV_COLUMNS = ["device_id", "device_type", "name", "labels", "status"] as const;
const REQUIRED = ["device_id", "device_type"];

export type CsvRow = { values: Record<string, unknown> } | { error: string; deviceId?: string };

/** One line's fields, or undefined when its quoting is broken. Lines end at \n (a \r before it is dropped). */
function fields(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return undefined;
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      out.push(value);
      if (i === line.length) return out;
      if (line[i] !== ",") return undefined;
      i++;
    } else {
      const comma = line.indexOf(",", i);
      const value = comma < 0 ? line.slice(i) : line.slice(i, comma);
      if (value.includes('"')) return undefined;
      out.push(value);
      if (comma < 0) return out;
      i = comma + 1;
    }
  }
}

/** `k=v;k=v` → labels; a malformed pair makes it a string the labels rule rejects with a reason. */
function labelsOf(text: string): Record<string, string> | string {
  const pairs: [string, string][] = [];
  for (const pair of text.split(";")) {
    if (pair.trim() === "") continue;
    const eq = pair.indexOf("=");
    if (eq <= 0) return `labels: ${JSON.stringify(pair.slice(0, 80))} is not key=value.`;
    pairs.push([pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]);
  }
  // fromEntries defines own properties: a key such as `__proto__` stays a label.
  return Object.fromEntries(pairs);
}

/** Rows of a CSV import (empty lines skipped). A bad header fails the whole file, naming the column. */
export function parseDeviceCsv(text: string): CsvRow[] {
  const lines = text
    .replace(/^\uFEFF/, "")
    .split("\n")
    .map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
  const header = fields(lines[0] ?? "")?.map((h) => h.trim());
  if (!header || header.every((h) => h === ""))
    throw new ValidationError({
      csv: ["The first line must be a header row: device_id,device_type[,name,labels,status]."],
    });
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  const missing = REQUIRED.filter((h) => !header.includes(h));
  const repeated = header.filter((h, i) => header.indexOf(h) !== i);
  if (unknown.length + missing.length + repeated.length > 0)
    throw new ValidationError({
      csv: [
        ...unknown.map((h) => `Unknown column ${JSON.stringify(h.slice(0, 80))}.`),
        ...missing.map((h) => `Missing column ${h}.`),
        ...repeated.map((h) => `Column ${h} appears twice.`),
      ],
    });
  const rows: CsvRow[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === "") return;
    const at = `line ${i + 2}`;
    const cells = fields(line);
    if (!cells) return void rows.push({ error: `${at}: broken quoting.` });
    const deviceId = cells[header.indexOf("device_id")];
    if (cells.length !== header.length)
      return void rows.push({ error: `${at}: ${cells.length} fields, the header has ${header.length}.`, deviceId });
    const values: Record<string, unknown> = Object.fromEntries(header.map((h, c) => [h, cells[c]]));
    if (typeof values.labels === "string") {
      const labels = labelsOf(values.labels);
      if (typeof labels === "string") return void rows.push({ error: `${at}: ${labels}`, deviceId });
      values.labels = labels;
    }
    // An empty optional cell means "not given" (its default), as an absent JSON field does.
    for (const h of ["name", "status"]) if (values[h] === "") delete values[h];
    rows.push({ values });
  });
  return rows;
}
