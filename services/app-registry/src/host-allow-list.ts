/**
 * Which names the registry answers to. A browser tricked by DNS rebinding (evil.example resolving
 * to 127.0.0.1) still sends `Host: evil.example`, so a page on another site gets nothing from
 * a registry that only answers to its own names. Used by REST and RPC alike.
 */

/** Always allowed: what a caller on this machine types. */
const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];

/** Addresses that mean "every interface": a browser may reach them, so they are never a name to answer to. */
const WILDCARDS = new Set(["0.0.0.0", "[::]", "::"]);

export interface HostAllowList {
  /** Whether a Host header (or HTTP/2 :authority) names this registry; a missing one never does. */
  allows(host: string | null | undefined): boolean;
  /** Also answer to this name (the address a server was bound to, once it is known). */
  add(name: string): void;
}

/** The name in a Host header, without its port, lower-cased; IPv6 keeps its brackets. */
export function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  const name = h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.replace(/:\d*$/, "");
  // "localhost." is the same name as "localhost".
  return name.endsWith(".") ? name.slice(0, -1) : name;
}

/** A bare IPv6 address (as a server reports it) in the bracketed form a Host header uses. */
const asHostName = (name: string) => (name.includes(":") && !name.startsWith("[") ? `[${name}]` : name).toLowerCase();

export function createHostAllowList(configured: readonly string[]): HostAllowList {
  const names = new Set([...LOOPBACK_NAMES, ...configured.map((n) => hostName(asHostName(n)))]);
  return {
    allows: (host) => !!host && names.has(hostName(host)),
    add(name) {
      const n = asHostName(name);
      if (!WILDCARDS.has(n) && !WILDCARDS.has(name)) names.add(hostName(n));
    },
  };
}
