/**
 * Which addresses a webhook may reach (SSRF). A registered URL is outside input: it must not reach
 * the platform's own network (loopback, private ranges, link-local and cloud metadata, CGNAT, ULA,
 * unspecified, multicast) unless an operator allow-listed its host. Checked on the resolved
 * addresses, every one of them, at each delivery, since DNS can change after registration.
 */
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const blocked = new BlockList();
for (const [net, bits] of [
  ["0.0.0.0", 8], // "this network", unspecified
  ["10.0.0.0", 8],
  ["100.64.0.0", 10], // CGNAT
  ["127.0.0.0", 8],
  ["169.254.0.0", 16], // link-local, incl. 169.254.169.254 metadata
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved, broadcast
] as const)
  blocked.addSubnet(net, bits, "ipv4");
for (const [net, bits] of [
  ["::", 128], // unspecified
  ["::1", 128],
  ["fc00::", 7], // unique local, incl. fd00:ec2::254 metadata
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
  ["64:ff9b::", 96], // NAT64 of any IPv4
] as const)
  blocked.addSubnet(net, bits, "ipv6");

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is judged as its IPv4 address. */
export function isBlockedAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blocked.check(mapped, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

export type Resolve = (host: string) => Promise<string[]>;
const systemResolve: Resolve = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

export class RefusedTarget extends Error {
  override name = "RefusedTarget";
}

/**
 * The address to connect to for this URL, checked: the request must go to that very address (not
 * to whatever a second DNS answer says, which could be rebound to a private one meanwhile).
 * Undefined: connect as the URL says (an allow-listed host name). Throws RefusedTarget when a
 * resolved address is blocked and not allow-listed (DELIVERY_ALLOWED_HOSTS holds names and IPs).
 */
export function createAddressPolicy(allowedHosts: string[], resolve: Resolve = systemResolve) {
  const allowed = new Set(allowedHosts.map((h) => h.replace(/^\[|\]$/g, "").toLowerCase()));
  return async (url: URL): Promise<string | undefined> => {
    const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (allowed.has(host)) return undefined;
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolve(host);
    } catch (e) {
      throw new RefusedTarget(`cannot resolve ${host}: ${(e as { code?: string }).code ?? "error"}`);
    }
    if (addresses.length === 0) throw new RefusedTarget(`${host} resolves to no address`);
    const bad = addresses.find((a) => isBlockedAddress(a) && !allowed.has(a.toLowerCase()));
    if (bad)
      throw new RefusedTarget(
        `${host} resolves to ${bad}, a loopback, private, link-local or metadata address (allow it with DELIVERY_ALLOWED_HOSTS)`,
      );
    return addresses[0];
  };
}

/** The URL aimed at `address`, and what keeps the request about the original host: its Host header and, for https, its TLS name. */
export function pinned(url: URL, address: string | undefined): { url: URL; host?: string; serverName?: string } {
  if (address === undefined || address === url.hostname.replace(/^\[|\]$/g, "")) return { url };
  const to = new URL(url);
  to.hostname = isIP(address) === 6 ? `[${address}]` : address;
  return { url: to, host: url.host, ...(url.protocol === "https:" ? { serverName: url.hostname } : {}) };
}
