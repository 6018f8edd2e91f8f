/** Who may write (and read contact e-mails): the platform's admin rule (common/admin-access), as this service's errors. */
import { type Caller, createAdminAccess } from "@iot/common/admin-access";
import { PermissionDeniedError, UnauthenticatedError } from "./errors";

export type WriteAttempt = Caller;

export type WriteGuard = (attempt: WriteAttempt) => void;

export function createWriteGuard(adminToken: string | undefined): WriteGuard {
  const access = createAdminAccess(adminToken);
  return (attempt) => {
    const refused = access(attempt);
    if (refused)
      throw refused.kind === "unauthenticated"
        ? new UnauthenticatedError(refused.message)
        : new PermissionDeniedError(refused.message);
  };
}

/**
 * Whether a caller may see what only admins see (contact e-mails): the callers that may write.
 * Never throws: a reader without credentials simply gets the public view.
 */
export type AdminCheck = (caller: WriteAttempt) => boolean;

export function createAdminCheck(adminToken: string | undefined): AdminCheck {
  const access = createAdminAccess(adminToken);
  return (caller) => access(caller) === undefined;
}
