/** The few ways an API call fails; REST and RPC each map them in one place. */
export type AlarmsErrorCode = "invalid_argument" | "not_found" | "failed_precondition";

export class AlarmsError extends Error {
  override name = "AlarmsError";
  constructor(
    readonly code: AlarmsErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (message: string) => new AlarmsError("invalid_argument", message);
