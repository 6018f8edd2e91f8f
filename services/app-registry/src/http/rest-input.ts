/**
 * The registry's inputs as REST spells them: snake_case JSON and query keys (the seed's contract),
 * with the seed's `devicetypes` on an application's own fields.
 */
import {
  applicationPatch,
  applicationQuery,
  deviceTypeQuery,
  deviceTypesQuery,
  newApplication,
} from "../application-input";
import type { Input, Names } from "../input";
import { onWire } from "../input";

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Every field by its snake_case name, except the ones `overrides` names otherwise. */
export const restNames = <T>(input: Input<T>, overrides: Partial<Names<T>> = {}): Names<T> =>
  Object.fromEntries(
    Object.keys(input.fields).map((key) => [key, overrides[key as keyof T] ?? snakeCase(key)]),
  ) as Names<T>;

const SEED_SPELLING = { deviceTypes: "devicetypes" } as const;

export const restInput = {
  newApplication: onWire(newApplication, restNames(newApplication, SEED_SPELLING)),
  applicationPatch: onWire(applicationPatch, restNames(applicationPatch, SEED_SPELLING)),
  applicationQuery: onWire(applicationQuery, restNames(applicationQuery), { unknownFields: "ignore" }),
  /** The path parameter of by-device-type. */
  deviceType: onWire(deviceTypeQuery, restNames(deviceTypeQuery), { unknownFields: "ignore" }),
  deviceTypes: onWire(deviceTypesQuery, restNames(deviceTypesQuery), { unknownFields: "ignore" }),
};
