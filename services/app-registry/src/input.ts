/**
 * Typed domain input from untrusted values. An Input is the domain's table of fields (by the
 * domain's own camelCase names) and their rules; a WireInput is that table as one transport
 * spells it (REST's snake_case JSON, the proto's field names). Decoding happens once, at the
 * edge, and names a bad field the way that transport's caller wrote it; the same table gives
 * the JSON Schema the OpenAPI document shows.
 */
import { ValidationError } from "./errors";
import type { JsonSchema, Rule } from "./rules";

export interface Field<T> {
  rule: Rule<T>;
  /** Must be given on creation, and may never be null. */
  required: boolean;
  /** What an absent field becomes on creation (a patch leaves it absent). */
  fallback?: () => T;
  /** Shown in the API documentation. */
  description?: string;
}

export const required = <T>(rule: Rule<T>, description?: string) => ({ rule, required: true as const, description });
export const optional = <T>(rule: Rule<T>, description?: string): Field<T> => ({ rule, required: false, description });
export const withDefault = <T>(rule: Rule<T>, fallback: () => T, description?: string) => ({
  rule,
  required: false,
  fallback,
  description,
});

/** A field per key of T; a key T cannot lack must be required or have a default. */
export type Fields<T> = {
  [K in keyof T]-?: {} extends Pick<T, K>
    ? Field<Exclude<T[K], undefined>>
    : Field<T[K]> & ({ required: true } | { fallback: () => T[K] });
};

export interface Input<T> {
  fields: Fields<T>;
  /** A patch: an absent field stays absent (never "missing", never defaulted). */
  partial: boolean;
}

export const defineInput = <T>(fields: Fields<T>): Input<T> => ({ fields, partial: false });
export const definePatch = <T>(fields: { [K in keyof T]-?: Field<Exclude<T[K], undefined>> }): Input<Partial<T>> => ({
  fields: fields as Fields<Partial<T>>,
  partial: true,
});

/** How one transport spells each field of T. */
export type Names<T> = { readonly [K in keyof T]-?: string };

const MISSING = "Missing data for required field.";
const NULL = "Field may not be null.";

const entries = <T>(input: Input<T>) => Object.entries(input.fields) as [keyof T & string, Field<unknown>][];

export interface WireInput<T> {
  /**
   * Values keyed by the domain's names (absent: undefined) → T, or a ValidationError naming each
   * bad field in this spelling (and each of `extraKeys` as unknown).
   */
  decode(values: { [K in keyof T]?: unknown }, extraKeys?: string[]): T;
  /** A JSON object keyed by this spelling → T; a non-object is invalid, and so are unknown keys unless ignored. */
  parse(json: unknown): T;
  /** Valid values as a JSON object in this spelling (what `parse` turns back into them). */
  encode(values: T): Record<string, unknown>;
  /** Each field's JSON Schema, by its name in this spelling. */
  properties(): Record<string, JsonSchema>;
  /** The JSON object `parse` accepts. */
  schema(): JsonSchema;
}

/**
 * `unknownFields: "ignore"` where the seed ignored extra keys (query strings, by-device-types);
 * a body that creates or changes something rejects them, so a misspelt field is never dropped silently.
 */
export function onWire<T>(
  input: Input<T>,
  names: Names<T>,
  { unknownFields = "reject" }: { unknownFields?: "reject" | "ignore" } = {},
): WireInput<T> {
  const decode = (values: { [K in keyof T]?: unknown }, extraKeys: string[] = []): T => {
    // A Map, not an object: a caller's key named "__proto__" must be reported, not become a prototype.
    const errors = new Map<string, string[]>();
    for (const name of extraKeys) errors.set(name, ["Unknown field."]);
    const out: Record<string, unknown> = {};
    for (const [key, field] of entries(input)) {
      const value = values[key];
      if (value === undefined) {
        if (input.partial) continue;
        if (field.required) errors.set(names[key], [MISSING]);
        else if (field.fallback) out[key] = field.fallback();
        continue;
      }
      if (value === null && field.required) {
        errors.set(names[key], [NULL]);
        continue;
      }
      const r = field.rule.check(value);
      if ("errors" in r) errors.set(names[key], r.errors);
      else out[key] = r.ok;
    }
    if (errors.size > 0) throw new ValidationError(Object.fromEntries(errors));
    return out as T;
  };

  const properties = () =>
    Object.fromEntries(
      entries(input).map(([key, { rule, fallback, description }]) => [
        names[key],
        {
          ...rule.schema,
          ...(fallback && !input.partial ? { default: fallback() } : {}),
          ...(description ? { description } : {}),
        },
      ]),
    );

  return {
    decode,
    parse(json) {
      if (typeof json !== "object" || json === null || Array.isArray(json))
        throw new ValidationError({ _schema: ["Invalid input type."] });
      const body = json as Record<string, unknown>;
      const known = new Set(Object.values<string>(names));
      const values = Object.fromEntries(
        entries(input).map(([key]) => [key, Object.hasOwn(body, names[key]) ? body[names[key]] : undefined]),
      );
      return decode(
        values as { [K in keyof T]?: unknown },
        unknownFields === "reject" ? Object.keys(body).filter((k) => !known.has(k)) : [],
      );
    },
    encode: (values) =>
      Object.fromEntries(
        entries(input).flatMap(([key]) => (values[key] === undefined ? [] : [[names[key], values[key]]])),
      ),
    properties,
    schema() {
      const required = input.partial
        ? []
        : entries(input).flatMap(([key, field]) => (field.required ? [names[key]] : []));
      return {
        type: "object",
        ...(unknownFields === "reject" ? { additionalProperties: false } : {}),
        ...(required.length > 0 ? { required } : {}),
        properties: properties(),
      };
    },
  };
}
