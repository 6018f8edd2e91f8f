/** Test support: the field errors a rejected input carries (never imported by service code). */
import { ValidationError } from "./errors";

export function validationDetails(fn: () => unknown): Record<string, string[]> {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationError) return e.details;
    throw e;
  }
  throw new Error("expected a ValidationError");
}
