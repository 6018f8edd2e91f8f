/**
 * Where every server listens. Loopback unless `BIND_HOST` opens it (the container image sets
 * 0.0.0.0): a platform started on a laptop is not reachable from the network by accident.
 */
import { env } from "./env";

export const bindHostSchema = env.string("BIND_HOST", "127.0.0.1", {
  pattern: "^(\\[?[0-9A-Fa-f:.]+\\]?|[A-Za-z0-9.-]+)$",
  expected: "an address to listen on (127.0.0.1, 0.0.0.0, ::, a host name)",
});

const WILDCARDS = new Set(["0.0.0.0", "::", "[::]"]);

/** True when `host` is every interface rather than one address. */
export const isWildcard = (host: string) => WILDCARDS.has(host);

/** How this machine reaches a server bound to `host` (a wildcard is reached on loopback). */
export function localUrl(host: string, port: number | undefined, scheme = "http"): string {
  const name = isWildcard(host) ? "127.0.0.1" : host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `${scheme}://${name}:${port}`;
}

/**
 * The options an Elysia app listens with: `host:port`, that port its own. Elysia turns SO_REUSEPORT
 * on unless told otherwise, and then a second copy of a service (or a second `bun run start`) came up
 * on a port in use without an error, the kernel splitting connections between the two; now its start
 * fails with Bun's "Is port … in use?".
 */
export const serveOn = (hostname: string, port: number) => ({ hostname, port, reusePort: false });
