/**
 * What the RPC port knows about a request before any handler runs, computed once from the
 * HTTP/2 request (server.ts) and read by interceptors and handlers through the call's context.
 */
import { createContextKey, createContextValues } from "@connectrpc/connect";

export const peerAddress = createContextKey<string | undefined>(undefined, { description: "the caller's IP address" });

/** The caller holds the admin token (or, with none configured, is on loopback): it sees contact e-mails. */
export const callerIsAdmin = createContextKey(false, { description: "the caller is an admin" });

/** The Host (:authority) names this registry (host-allow-list.ts). */
export const hostAllowed = createContextKey(false, { description: "the request's authority is allowed" });

/** The request fits within its connection's stream cap (session-limits.ts). */
export const withinSessionCap = createContextKey(true, { description: "the request fits its session's stream cap" });

/** The facts above, as one request yields them. */
export interface CallerFacts {
  peer: string | undefined;
  hostAllowed: boolean;
  withinSessionCap: boolean;
  admin: boolean;
}

export const callerContextValues = (facts: CallerFacts) =>
  createContextValues()
    .set(peerAddress, facts.peer)
    .set(hostAllowed, facts.hostAllowed)
    .set(withinSessionCap, facts.withinSessionCap)
    .set(callerIsAdmin, facts.admin);
