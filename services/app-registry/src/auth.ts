/** Who may write: holders of the admin token; with no token configured, loopback callers only. */
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

export function createWriteGuard(adminToken: string | undefined): WriteGuard {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return ({ authorization, remoteAddress }) => {
    if (expected === undefined) {
      if (isLoopback(remoteAddress)) return;
      throw new PermissionDeniedError("Writes are accepted from loopback only: no REGISTRY_ADMIN_TOKEN is configured");
    }
    const token = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
    if (token === undefined) throw new UnauthenticatedError("Missing bearer token: send Authorization: Bearer <admin token>");
    if (!timingSafeEqual(digest(token), expected)) throw new PermissionDeniedError("Invalid admin token");
  };
}
