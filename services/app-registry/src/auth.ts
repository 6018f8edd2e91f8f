/** Who may write (and read contact e-mails): holders of the admin token; with no token configured, loopback callers only. */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIPv4 } from "node:net";
import { PermissionDeniedError, UnauthenticatedError } from "./errors";

export interface WriteAttempt {
  /** The `Authorization` header, if any. */
  authorization: string | null | undefined;
  /** The peer's IP address, if known; unknown is treated as remote. */
  remoteAddress: string | undefined;
}

export type WriteGuard = (attempt: WriteAttempt) => void;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  return address === "::1" || (isIPv4(v4) && v4.startsWith("127."));
}

// Digests have one length, so the comparison takes the same time whatever the token's length.
const digest = (s: string) => createHash("sha256").update(s).digest();

/** Why this caller is not an admin, or undefined when it is. */
function refusal(expected: Buffer | undefined, { authorization, remoteAddress }: WriteAttempt): Error | undefined {
  if (expected === undefined)
    return isLoopback(remoteAddress) ? undefined : new PermissionDeniedError("Writes are accepted from loopback only: no REGISTRY_ADMIN_TOKEN is configured");
  const token = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
  if (token === undefined) return new UnauthenticatedError("Missing bearer token: send Authorization: Bearer <admin token>");
  return timingSafeEqual(digest(token), expected) ? undefined : new PermissionDeniedError("Invalid admin token");
}

export function createWriteGuard(adminToken: string | undefined): WriteGuard {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return (attempt) => {
    const error = refusal(expected, attempt);
    if (error) throw error;
  };
}

/**
 * Whether a caller may see what only admins see (contact e-mails): the callers that may write.
 * Never throws: a reader without credentials simply gets the public view.
 */
export type AdminCheck = (caller: WriteAttempt) => boolean;

export function createAdminCheck(adminToken: string | undefined): AdminCheck {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return (caller) => refusal(expected, caller) === undefined;
}
