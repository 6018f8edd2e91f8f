/**
 * Who is at the other end of a request, as far as the network can tell: the client address (the
 * peer, or what a trusted proxy says the client was), whether it came over loopback directly, and
 * whether it came over HTTPS. Forwarding headers count only from `trustedProxies`; from anyone
 * else they are ignored, since any client can write them.
 */
import { isLoopback } from "@iot/common/admin-access";

export interface Caller {
  /** For per-client limits: the peer's IP, or the client's as a trusted proxy forwarded it. */
  address: string;
  /** Came straight from this machine: the peer is loopback and no proxy relayed it. */
  loopback: boolean;
  /** The peer is one of the trusted proxies (so its identity header, if configured, counts). */
  viaTrustedProxy: boolean;
  /** HTTPS, end to end or up to a trusted proxy: the session cookie gets `Secure`. */
  https: boolean;
}

const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"];

/** `::ffff:127.0.0.1` (IPv4 on a dual-stack socket) is 127.0.0.1. */
export const normaliseAddress = (address: string): string =>
  address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, "").toLowerCase();

export function createCallerOf(trustedProxies: readonly string[]) {
  const trusted = new Set(trustedProxies.map(normaliseAddress));
  return (request: Request, peer: string | undefined): Caller => {
    const from = peer === undefined ? undefined : normaliseAddress(peer);
    const viaTrustedProxy = from !== undefined && trusted.has(from);
    // The proxy nearest us appends the address it saw last; earlier entries are the client's to invent.
    const forwardedFor = viaTrustedProxy
      ? request.headers.get("x-forwarded-for")?.split(",").at(-1)?.trim()
      : undefined;
    const forwardedProto = viaTrustedProxy
      ? request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase()
      : undefined;
    const relayed = FORWARDING_HEADERS.some((h) => request.headers.has(h));
    return {
      address: forwardedFor ? normaliseAddress(forwardedFor) : (from ?? "unknown"),
      loopback: from !== undefined && isLoopback(from) && !relayed,
      viaTrustedProxy,
      https: new URL(request.url).protocol === "https:" || forwardedProto === "https",
    };
  };
}

export type CallerOf = ReturnType<typeof createCallerOf>;
