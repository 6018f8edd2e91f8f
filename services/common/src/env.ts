/**
 * Configuration from environment variables: one TypeBox schema per service, from which its config
 * type is inferred. Each leaf of the schema names the variable it reads; `loadEnv` reads exactly
 * those variables, turns each text into the schema's type, checks it against the schema, decodes
 * it (a `Type.Transform` turns seconds into ms, a word into a flag…) and throws one ConfigError
 * naming every bad variable. Blank counts as unset; unset takes the schema's default.
 */
import {
  Kind,
  OptionalKind,
  type StaticDecode,
  type TObject,
  type TSchema,
  type TUnsafe,
  Type,
} from "@sinclair/typebox";
import { ValueErrorType } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

export type Env = Record<string, string | undefined>;

/** The keyword on a schema naming the variable it is read from. */
const VARIABLE = "x-env";

interface Described {
  /** What a valid value looks like, for the message: `expected ${expected}, got "…"`. */
  expected?: string;
  /** Never echo the value (a URL with a password): the message names the variable only. */
  secret?: boolean;
}

export const env = {
  string: (name: string, fallback: string, o: Described & { pattern?: string } = {}) =>
    Type.String({ [VARIABLE]: name, default: fallback, ...o }),
  optional: (name: string, o: Described & { pattern?: string } = {}) =>
    Type.Optional(Type.String({ [VARIABLE]: name, ...o })),
  int: (name: string, fallback: number, range: { min?: number; max?: number } = {}) =>
    Type.Integer({ [VARIABLE]: name, default: fallback, minimum: range.min, maximum: range.max }),
  port: (name: string, fallback: number) => env.int(name, fallback, { min: 0, max: 65535 }),
  /** A decimal number; `positive` refuses 0 unless `zero` allows it. */
  number: (name: string, fallback: number, o: { zero?: boolean; max?: number } = {}) =>
    Type.Number({
      [VARIABLE]: name,
      default: fallback,
      ...(o.zero ? { minimum: 0 } : { exclusiveMinimum: 0 }),
      maximum: o.max,
      expected: o.zero ? "a non-negative number" : "a positive number",
    }),
  bool: (name: string, fallback: boolean) => Type.Boolean({ [VARIABLE]: name, default: fallback }),
  // A union of a list (not a tuple) infers `never`: the schema is the union, its type the list's items.
  oneOf: <T extends string>(name: string, values: readonly T[], fallback: T) =>
    Type.Union(
      values.map((v) => Type.Literal(v)),
      { [VARIABLE]: name, default: fallback },
    ) as unknown as TUnsafe<T>,
  /** Comma-separated; each item may have to match `pattern`. */
  list: (name: string, fallback: string[], o: Described & { pattern?: string } = {}) =>
    Type.Array(Type.String({ pattern: o.pattern }), {
      [VARIABLE]: name,
      default: fallback,
      expected: o.expected ?? "a comma-separated list",
    }),
};

/** The log level every service reads. */
export const logLevelSchema = env.oneOf("LOG_LEVEL", ["debug", "info", "warn", "error"] as const, "info");

export interface LoadOptions {
  /** How a variable is named in messages (the simulator names the command-line flag that set it). */
  label?: (variable: string) => string;
  /** Problems found before (across variables, or on a command line), reported in the same error. */
  problems?: string[];
}

/** Reads every variable `schema` names from `source`; throws one ConfigError naming each bad one. */
export function loadEnv<T extends TObject>(schema: T, source: Env, options: LoadOptions = {}): StaticDecode<T> {
  const problems: string[] = [...(options.problems ?? [])];
  const label = options.label ?? ((name: string) => name);
  const read = (object: TObject): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(object.properties) as Array<[string, TSchema]>) {
      if (field[VARIABLE] === undefined) {
        out[key] = read(field as TObject);
        continue;
      }
      const name: string = field[VARIABLE];
      const text = source[name]?.trim();
      if (text === undefined || text === "") {
        if (field.default !== undefined) out[key] = Value.Decode(field, field.default);
        else if (!(OptionalKind in field)) problems.push(`${label(name)}: is required`);
        continue;
      }
      const why = check(field, text);
      if (why !== undefined) {
        problems.push(`${label(name)}: ${why}`);
        if (field.default !== undefined) out[key] = Value.Decode(field, field.default); // so later checks still run
        continue;
      }
      try {
        out[key] = Value.Decode(field, parse(field, text));
      } catch (e) {
        // A Transform's decode throws with the reason (the simulator's device list).
        problems.push(`${label(name)}: ${(e as { error?: Error }).error?.message ?? (e as Error).message}`);
      }
    }
    return out;
  };
  const config = read(schema);
  if (problems.length > 0) throw new ConfigError(problems);
  return config as StaticDecode<T>;
}

/** The text as the schema's type (a number, a flag, a list); texts that are none stay as they are. */
function parse(field: TSchema, text: string): unknown {
  switch (field[Kind]) {
    case "Integer":
      return /^-?\d+$/.test(text) ? Number(text) : text;
    case "Number":
      return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
    case "Boolean": {
      const word = text.toLowerCase();
      return ["1", "true", "yes", "on"].includes(word)
        ? true
        : ["0", "false", "no", "off"].includes(word)
          ? false
          : text;
    }
    case "Array": {
      const items = text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      return items.length > 0 ? items : text;
    }
    default:
      return text;
  }
}

/** Why `text` does not fit `field`, in the words of the old messages; undefined when it fits. */
function check(field: TSchema, text: string): string | undefined {
  const value = parse(field, text);
  const error = Value.Errors(field, value).First();
  if (error === undefined) return undefined;
  const got = field.secret ? "" : `, got "${text}"`;
  switch (error.type) {
    case ValueErrorType.Integer:
      return `expected an integer${got}`;
    case ValueErrorType.Number:
      return `expected ${field.expected ?? "a number"}${got}`;
    case ValueErrorType.Boolean:
      return `expected true or false${got}`;
    case ValueErrorType.Union:
      return `expected one of ${(field.anyOf as TSchema[]).map((s) => s.const).join("|")}${got}`;
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.NumberMinimum:
      return field.expected ? `expected ${field.expected}${got}` : `must be ≥ ${field.minimum}, got ${value}`;
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.NumberMaximum:
      return field.expected
        ? `expected ${field.expected} ≤ ${field.maximum}, got ${value}`
        : `must be ≤ ${field.maximum}, got ${value}`;
    case ValueErrorType.NumberExclusiveMinimum:
      return `expected ${field.expected}${got}`;
    default:
      return `expected ${field.expected ?? error.message}${got}`;
  }
}
