/** Field rules particular to devices (the shared ones live in ../rules.ts). */
import type { Rule } from "../rules";
import { DEVICE_ID, LABEL_KEY, MAX_LABEL_VALUE, MAX_LABELS } from "./device";

export const deviceId: Rule<string> = {
  check: (v) =>
    typeof v === "string" && DEVICE_ID.test(v)
      ? { ok: v }
      : { errors: [`Not a valid device id (expected ${DEVICE_ID.source}).`] },
  schema: { type: "string", pattern: DEVICE_ID.source },
};

const labelProblems = (entries: [string, unknown][]): string[] => {
  const errors: string[] = [];
  if (entries.length > MAX_LABELS) errors.push(`At most ${MAX_LABELS} labels.`);
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k))
      errors.push(`Label key ${JSON.stringify(k.slice(0, 80))} is not valid (expected ${LABEL_KEY.source}).`);
    else if (typeof v !== "string") errors.push(`Label ${k}: not a valid string.`);
    else if (v.length > MAX_LABEL_VALUE) errors.push(`Label ${k}: longer than maximum length ${MAX_LABEL_VALUE}.`);
  }
  return errors;
};

/** String → string, bounded in count, key shape and value length. */
export const labels: Rule<Record<string, string>> = {
  check(v) {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return { errors: ["Not a valid mapping of strings."] };
    const entries = Object.entries(v);
    const errors = labelProblems(entries);
    return errors.length > 0 ? { errors } : { ok: Object.fromEntries(entries) as Record<string, string> };
  },
  schema: {
    type: "object",
    maxProperties: MAX_LABELS,
    propertyNames: { pattern: LABEL_KEY.source },
    additionalProperties: { type: "string", maxLength: MAX_LABEL_VALUE },
  },
};

/** `key:value` filters (one string or a repeated query key) → the labels a device must carry. */
export const labelFilters: Rule<Record<string, string>> = {
  check(v) {
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== "string" || !x.includes(":")))
      return { errors: ["Each label filter must be key:value."] };
    const entries = (list as string[]).map((s): [string, string] => [
      s.slice(0, s.indexOf(":")),
      s.slice(s.indexOf(":") + 1),
    ]);
    const errors = labelProblems(entries);
    return errors.length > 0 ? { errors } : { ok: Object.fromEntries(entries) };
  },
  schema: { type: "array", items: { type: "string", pattern: "^[^:]+:.*$" }, maxItems: MAX_LABELS },
};
