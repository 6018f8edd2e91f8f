/**
 * Who may write (and see what only admins see): holders of the admin token (`REGISTRY_ADMIN_TOKEN`,
 * one token for the platform); with no token configured, callers on loopback only. Every service
 * with a write edge checks its callers here and maps a refusal to its own transport (401/403,
 * Unauthenticated/PermissionDenied).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { isIPv4 } from "node:net";

export interface Caller {
  /** The `Authorization` header, if any. */
  authorization: string | null | undefined;
  /** The peer's IP address, if known; unknown is treated as remote. */
  remoteAddress: string | undefined;
}

export interface AccessRefusal {
  /** `unauthenticated`: no credentials presented; `permission_denied`: wrong ones, or not allowed from there. */
  kind: "unauthenticated" | "permission_denied";
  message: string;
}

/** Undefined when the caller is an admin; otherwise why not. */
export type AdminAccess = (caller: Caller) => AccessRefusal | undefined;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.toLowerCase().startsWith("::ffff:") ? address.slice(7) : address;
  return address === "::1" || (isIPv4(v4) && v4.startsWith("127."));
}

// Digests have one length, so the comparison takes the same time whatever the token's length.
const digest = (s: string) => createHash("sha256").update(s).digest();

export function createAdminAccess(adminToken: string | undefined): AdminAccess {
  const expected = adminToken === undefined ? undefined : digest(adminToken);
  return ({ authorization, remoteAddress }) => {
    if (expected === undefined)
      return isLoopback(remoteAddress)
        ? undefined
        : {
            kind: "permission_denied",
            message: "Writes are accepted from loopback only: no REGISTRY_ADMIN_TOKEN is configured",
          };
    const token = /^Bearer +(\S+) *$/i.exec(authorization ?? "")?.[1];
    if (token === undefined)
      return { kind: "unauthenticated", message: "Missing bearer token: send Authorization: Bearer <admin token>" };
    return timingSafeEqual(digest(token), expected)
      ? undefined
      : { kind: "permission_denied", message: "Invalid admin token" };
  };
}
