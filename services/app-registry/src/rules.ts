/**
 * Field rules: each checks one value and describes, as JSON Schema, what it accepts. The check is
 * what runs; the schema is what the OpenAPI document shows, so the two are written side by side
 * and cannot drift. Messages follow the seed's marshmallow wording so existing clients read them
 * unchanged.
 */
import { DEVICE_TYPE_ID } from "@iot/common/device-registry";

export type JsonSchema = Record<string, unknown>;
export type Checked<T> = { ok: T } | { errors: string[] };

export interface Rule<T> {
  check(value: unknown): Checked<T>;
  schema: JsonSchema;
}

/**
 * Characters no text field, id or filter may hold: controls (NUL, which PostgreSQL cannot store,
 * and the rest of C0/C1), format characters (bidi overrides, zero-width joiners and spaces) that
 * make a name read differently from what it is, line/paragraph separators, and lone surrogates.
 * Multi-line text (a description typed into a textarea) may also hold line feeds and tabs.
 */
const HIDDEN = "\\p{Cc}\\p{Cf}\\p{Cs}\\p{Zl}\\p{Zp}";
const hidden = { line: new RegExp(`[${HIDDEN}]`, "u"), multiline: new RegExp(`(?![\\n\\t])[${HIDDEN}]`, "u") };
/** The same sets as JSON Schema patterns (ECMA-262 with Unicode property escapes). */
const plain = { line: `^[^${HIDDEN}]*$`, multiline: `^(?:[\\n\\t]|[^${HIDDEN}])*$` };

/**
 * Text, trimmed; the lengths apply to the trimmed text. Multi-line text has its line breaks
 * normalised to \n (browsers send a textarea's as \r\n).
 */
export const text = (min: number, max = Infinity, { multiline = false } = {}): Rule<string> => {
  const kind = multiline ? "multiline" : "line";
  return {
    check(v) {
      if (typeof v !== "string") return { errors: ["Not a valid string."] };
      const s = (multiline ? v.replace(/\r\n?/g, "\n") : v).trim();
      if (hidden[kind].test(s)) return { errors: ["Must not contain control or invisible formatting characters."] };
      if (s.length < min || s.length > max)
        return {
          errors: [min > 0 ? `Length must be between ${min} and ${max}.` : `Longer than maximum length ${max}.`],
        };
      return { ok: s };
    },
    schema: {
      type: "string",
      ...(min > 0 ? { minLength: min } : {}),
      ...(max < Infinity ? { maxLength: max } : {}),
      pattern: plain[kind],
    },
  };
};

/**
 * What renders as nothing but is not a control or format character: spaces, combining marks on
 * nothing, and the filler letters (Hangul fillers, the blank Braille pattern) used to fake an empty name.
 */
const BLANK = /[\p{White_Space}\p{Mn}\p{Me}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/** A name someone reads: text with at least one visible character. */
export const visibleText = (min: number, max: number): Rule<string> => {
  const inner = text(min, max);
  return {
    check(v) {
      const r = inner.check(v);
      return "ok" in r && r.ok.replace(BLANK, "") === "" ? { errors: ["Must contain a visible character."] } : r;
    },
    schema: inner.schema,
  };
};

/** A nullable variant of a schema: OpenAPI 3.1 spells it as a type list (and `null` among an enum). */
const nullable = (schema: JsonSchema): JsonSchema => ({
  ...schema,
  type: [schema.type, "null"],
  ...(Array.isArray(schema.enum) ? { enum: [...schema.enum, null] } : {}),
});

export const orNull = <T>(rule: Rule<T>): Rule<T | null> => ({
  check: (v) => (v === null ? { ok: null } : rule.check(v)),
  schema: nullable(rule.schema),
});

/** Optional free text: null or blank both mean "none". */
export const optionalText = (max = Infinity, options: { multiline?: boolean } = {}): Rule<string | null> => {
  const inner = text(0, max, options);
  return {
    check(v) {
      if (v === null) return { ok: null };
      const r = inner.check(v);
      return "ok" in r ? { ok: r.ok === "" ? null : r.ok } : r;
    },
    schema: nullable(inner.schema),
  };
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const emailText = text(1, 254);

export const email: Rule<string> = {
  check(v) {
    const r = emailText.check(v);
    if ("errors" in r) return r;
    return EMAIL.test(r.ok) ? r : { errors: ["Not a valid email address."] };
  },
  schema: { type: "string", format: "email", maxLength: 254 },
};

export const oneOf = <T extends string>(values: readonly T[]): Rule<T> => ({
  check: (v) => (values.includes(v as T) ? { ok: v as T } : { errors: [`Must be one of: ${values.join(", ")}.`] }),
  schema: { type: "string", enum: [...values] },
});

/** An integer, from a JSON/RPC number or a query string of digits. */
export const integer = (min: number, max?: number): Rule<number> => {
  const top = max ?? Number.MAX_SAFE_INTEGER;
  return {
    check(v) {
      const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
      return Number.isInteger(n) && n >= min && n <= top
        ? { ok: n }
        : { errors: [`Must be an integer between ${min} and ${top}.`] };
    },
    schema: { type: "integer", minimum: min, ...(max === undefined ? {} : { maximum: max }) },
  };
};

/** A device-type id: an exact id, never a pattern. */
export const deviceTypeId: Rule<string> = {
  check: (v) =>
    typeof v === "string" && DEVICE_TYPE_ID.test(v)
      ? { ok: v }
      : { errors: [`Not a valid device type id (expected ${DEVICE_TYPE_ID.source}).`] },
  schema: { type: "string", pattern: DEVICE_TYPE_ID.source },
};

/** Device-type ids, de-duplicated in order, at most `max`. */
export const deviceTypeList = (max: number): Rule<string[]> => ({
  check(v) {
    if (!Array.isArray(v)) return { errors: ["Not a valid list."] };
    const bad = v.filter((x) => typeof x !== "string" || !DEVICE_TYPE_ID.test(x));
    if (bad.length > 0)
      return {
        errors: [
          `Not a valid device type id (expected ${DEVICE_TYPE_ID.source}): ${bad.map((x) => JSON.stringify(x)).join(", ")}.`,
        ],
      };
    const unique = [...new Set(v as string[])];
    if (unique.length > max) return { errors: [`At most ${max} device types.`] };
    return { ok: unique };
  },
  schema: { type: "array", maxItems: max, items: deviceTypeId.schema },
});

/** Values of an enum, de-duplicated in order. */
export const enumList = <T extends string>(values: readonly T[]): Rule<T[]> => ({
  check(v) {
    if (!Array.isArray(v)) return { errors: ["Not a valid list."] };
    const bad = v.filter((x) => !values.includes(x as T));
    if (bad.length > 0) return { errors: [`Must each be one of: ${values.join(", ")}.`] };
    return { ok: [...new Set(v as T[])] };
  },
  schema: { type: "array", items: { type: "string", enum: [...values] }, uniqueItems: true },
});

/** A list where null means empty. */
export const nullAsEmpty = <T>(rule: Rule<T[]>): Rule<T[]> => ({
  check: (v) => (v === null ? { ok: [] } : rule.check(v)),
  schema: nullable(rule.schema),
});

export const nonEmpty = <T>(rule: Rule<T[]>): Rule<T[]> => ({
  check(v) {
    const r = rule.check(v);
    return "ok" in r && r.ok.length === 0 ? { errors: ["Must be a non-empty list."] } : r;
  },
  schema: { ...rule.schema, minItems: 1 },
});

/**
 * An absolute http(s) URL, or null/blank for none. Only its form is checked here: where it may
 * point (no loopback, private or metadata addresses) is decided by the delivery service when it
 * resolves the host, since DNS can change after registration.
 */
export const optionalHttpUrl = (max: number): Rule<string | null> => {
  const inner = optionalText(max);
  return {
    check(v) {
      const r = inner.check(v);
      if ("errors" in r || r.ok === null) return r;
      const url = URL.parse(r.ok);
      if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password)
        return { errors: ["Not a valid http(s) URL without credentials."] };
      return { ok: url.href };
    },
    schema: { ...inner.schema, format: "uri" },
  };
};
