/**
 * Browser-facing protections, applied to every request before any route:
 * - the Host must be one this dashboard answers to (localhost, 127.0.0.1, [::1], its bind address,
 *   DASHBOARD_ALLOWED_HOSTS), so a DNS-rebound name pointing at it gets nothing (421);
 * - a body larger than the limit is refused (413) before anything reads it;
 * - a Content-Security-Policy allowing only this server's own scripts and styles (no inline script,
 *   no eval), so even a string that escaped escaping could not run;
 * - writes only from this dashboard's own pages: htmx's `HX-Request` header, which a cross-site form
 *   cannot send, and a same-origin check. The login and logout forms are plain forms (they work
 *   without script) and get the same-origin check only. Who may write is operator-guard.ts's question.
 */
import { isWildcard } from "@iot/common/listen";
import { Elysia } from "elysia";
import { refusal } from "./refusal";

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

export const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Plain HTML forms, posted without htmx. */
export const PLAIN_FORMS = new Set(["/login", "/logout"]);

const isSameOrigin = (request: Request): boolean => {
  // Browsers that send Sec-Fetch-Site say it exactly; a plain form's Origin is "null" under our
  // no-referrer policy, so Origin is the test only for clients without it.
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const origin = request.headers.get("origin");
  return origin === null || (URL.canParse(origin) && new URL(origin).host === request.headers.get("host"));
};

export function isSameOriginWrite(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  const plainForm = PLAIN_FORMS.has(new URL(request.url).pathname);
  if (!plainForm && request.headers.get("hx-request") !== "true") return false;
  return isSameOrigin(request);
}

/** The names a request may call this dashboard by, lower-case, IPv6 in brackets. */
export function allowedHostNames(bindHost: string, configured: readonly string[]): Set<string> {
  const names = ["localhost", "127.0.0.1", "[::1]", ...configured];
  if (!isWildcard(bindHost))
    names.push(bindHost.includes(":") && !bindHost.startsWith("[") ? `[${bindHost}]` : bindHost);
  return new Set(names.map((n) => n.toLowerCase()));
}

/** The host name the client asked for (Host header, else the URL), without port; undefined when unreadable. */
function requestedHost(request: Request): string | undefined {
  // An HTTP/1.0 request may come without Host; Bun then builds a URL that does not parse.
  const host = request.headers.get("host") ?? (URL.canParse(request.url) ? new URL(request.url).host : "");
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(host) || !URL.canParse(`http://${host}/`)) return undefined;
  return new URL(`http://${host}/`).hostname.toLowerCase().replace(/\.$/, "");
}

export interface SecurityOptions {
  allowedHosts: Set<string>;
  maxBodyBytes: number;
  /** Paths that take larger bodies (a device CSV import), with their own limit. */
  largeBodies?: Record<string, number>;
}

export const security = ({ allowedHosts, maxBodyBytes, largeBodies = {} }: SecurityOptions) =>
  new Elysia({ name: "dashboard-security" })
    .onRequest(({ request, set }) => {
      set.headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
      set.headers["x-content-type-options"] = "nosniff";
      set.headers["referrer-policy"] = "no-referrer";
      set.headers["x-frame-options"] = "DENY";
      const host = requestedHost(request);
      if (host === undefined || !allowedHosts.has(host)) {
        set.status = 421;
        return "This dashboard does not answer to that host name.";
      }
      const limit = largeBodies[new URL(request.url).pathname] ?? maxBodyBytes;
      if (Number(request.headers.get("content-length") ?? 0) > limit)
        return refusal(request, 413, `The request body is larger than ${limit} bytes.`);
    })
    .onBeforeHandle({ as: "global" }, ({ request }) => {
      if (!isSameOriginWrite(request))
        return refusal(request, 403, "Writes are accepted only from the dashboard's own pages.");
    });
