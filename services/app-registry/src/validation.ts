/**
 * Input rules shared by REST and RPC. Inputs use the REST field names (the seed's contract);
 * messages follow the seed's marshmallow wording so existing clients read them unchanged.
 */
import { DEVICE_TYPE_ID } from "@iot/common/device-registry";
import type { ApplicationPatch, Platform, Registration, Status } from "./application";
import { MAX_DEVICE_TYPES, PLATFORMS, STATUSES } from "./application";
import type { FieldErrors } from "./errors";
import { ValidationError } from "./errors";

type Check<T> = (value: unknown) => { ok: T } | { errors: string[] };

const MISSING = "Missing data for required field.";
const NULL = "Field may not be null.";
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const text =
  (min: number, max: number): Check<string> =>
  (v) => {
    if (typeof v !== "string") return { errors: ["Not a valid string."] };
    const s = v.trim();
    if (s.length < min || s.length > max)
      return { errors: [min > 0 ? `Length must be between ${min} and ${max}.` : `Longer than maximum length ${max}.`] };
    return { ok: s };
  };

/** Optional free text: null, absent or blank all mean "none". */
const optionalText =
  (max: number): Check<string | null> =>
  (v) => {
    if (v === null) return { ok: null };
    const r = text(0, max)(v);
    return "ok" in r ? { ok: r.ok === "" ? null : r.ok } : r;
  };

const email: Check<string> = (v) => {
  const r = text(1, 254)(v);
  if ("errors" in r) return r;
  return EMAIL.test(r.ok) ? r : { errors: ["Not a valid email address."] };
};

const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (v) =>
    values.includes(v as T) ? { ok: v as T } : { errors: [`Must be one of: ${values.join(", ")}.`] };

const orNull =
  <T>(check: Check<T>): Check<T | null> =>
  (v) =>
    v === null ? { ok: null } : check(v);

/** Device-type ids: exact ids (never patterns), de-duplicated in order, at most 50. */
const deviceTypeList: Check<string[]> = (v) => {
  if (!Array.isArray(v)) return { errors: ["Not a valid list."] };
  const bad = v.filter((x) => typeof x !== "string" || !DEVICE_TYPE_ID.test(x));
  if (bad.length > 0) return { errors: [`Not a valid device type id (expected ${DEVICE_TYPE_ID.source}): ${bad.map((x) => JSON.stringify(x)).join(", ")}.`] };
  const unique = [...new Set(v as string[])];
  if (unique.length > MAX_DEVICE_TYPES) return { errors: [`At most ${MAX_DEVICE_TYPES} device types.`] };
  return { ok: unique };
};

const deviceTypeId: Check<string> = (v) =>
  typeof v === "string" && DEVICE_TYPE_ID.test(v) ? { ok: v } : { errors: [`Not a valid device type id (expected ${DEVICE_TYPE_ID.source}).`] };

// REST name → [domain key, rule, required on registration]
const registrationFields = {
  name: ["name", text(1, 100), true],
  description: ["description", optionalText(Number.MAX_SAFE_INTEGER), false],
  version: ["version", text(1, 20), true],
  developer: ["developer", text(1, 100), true],
  contact_email: ["contactEmail", email, true],
  category: ["category", optionalText(50), false],
  platform: ["platform", orNull(oneOf(PLATFORMS)), false],
  devicetypes: ["deviceTypes", (v: unknown) => (v === null ? { ok: [] } : deviceTypeList(v)), false],
} as const satisfies Record<string, readonly [keyof Registration, Check<unknown>, boolean]>;

const updateFields = { ...registrationFields, status: ["status", oneOf(STATUSES), false] } as const;

function parseObject(
  input: unknown,
  fields: Record<string, readonly [string, Check<unknown>, boolean]>,
  requireAll: boolean,
): Record<string, unknown> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw new ValidationError({ _schema: ["Invalid input type."] });
  const body = input as Record<string, unknown>;
  const errors: FieldErrors = {};
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(body)) if (!Object.hasOwn(fields, key)) errors[key] = ["Unknown field."];
  for (const [field, [key, check, required]] of Object.entries(fields)) {
    const value = body[field];
    if (value === undefined) {
      if (required && requireAll) errors[field] = [MISSING];
      continue;
    }
    if (value === null && required) {
      errors[field] = [NULL];
      continue;
    }
    const r = check(value);
    if ("errors" in r) errors[field] = r.errors;
    else out[key] = r.ok;
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return out;
}

export function parseRegistration(input: unknown): Registration {
  type Required = Pick<Registration, "name" | "version" | "developer" | "contactEmail">;
  const out = parseObject(input, registrationFields, true) as Required & Partial<Registration>;
  return { description: null, category: null, platform: null, deviceTypes: [], ...out };
}

export function parseUpdate(input: unknown): ApplicationPatch {
  return parseObject(input, updateFields, false) as ApplicationPatch;
}

export interface ListQuery {
  filter: { status?: Status; platform?: Platform; category?: string; deviceTypes?: string[] };
  page: { limit: number; offset: number };
}

const integer =
  (min: number, max: number): Check<number> =>
  (v) => {
    const n = typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : NaN;
    return Number.isInteger(n) && n >= min && n <= max ? { ok: n } : { errors: [`Must be an integer between ${min} and ${max}.`] };
  };

/** List filters (exact matches) and pagination; an absent value means "any" or the default. */
export function parseListQuery(q: Partial<Record<"status" | "platform" | "category" | "device_type" | "limit" | "offset", unknown>>): ListQuery {
  const errors: FieldErrors = {};
  const take = <T>(field: keyof typeof q, check: Check<T>, fallback?: T): T | undefined => {
    if (q[field] === undefined) return fallback;
    const r = check(q[field]);
    if ("ok" in r) return r.ok;
    errors[field] = r.errors;
    return fallback;
  };
  const status = take("status", oneOf(STATUSES));
  const platform = take("platform", oneOf(PLATFORMS));
  const category = take("category", text(0, 50));
  const deviceType = take("device_type", deviceTypeId);
  const limit = take("limit", integer(1, 1000), 100)!;
  const offset = take("offset", integer(0, Number.MAX_SAFE_INTEGER), 0)!;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const filter: ListQuery["filter"] = {};
  if (status) filter.status = status;
  if (platform) filter.platform = platform;
  if (category !== undefined) filter.category = category;
  if (deviceType) filter.deviceTypes = [deviceType];
  return { filter, page: { limit, offset } };
}

export function parseDeviceType(value: unknown, field = "device_type"): string {
  const r = deviceTypeId(value);
  if ("errors" in r) throw new ValidationError({ [field]: r.errors });
  return r.ok;
}

/** A list of device-type ids: non-empty for by-device-types; empty allowed for Watch ("all"). */
export function parseDeviceTypes(value: unknown, { field = "device_types", nonEmpty = true } = {}): string[] {
  const r = deviceTypeList(value);
  if ("errors" in r) throw new ValidationError({ [field]: r.errors });
  if (nonEmpty && r.ok.length === 0) throw new ValidationError({ [field]: ["Must be a non-empty list."] });
  return r.ok;
}
