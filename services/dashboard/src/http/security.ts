/**
 * Browser-facing protections, applied to every response and every write:
 * - a Content-Security-Policy allowing only this server's own scripts and styles (no inline script,
 *   no eval), so even a string that escaped escaping could not run;
 * - writes (they act on the registry with the dashboard's credentials) only from this dashboard's
 *   own pages: htmx's `HX-Request` header, which a cross-site form cannot send, and a same-origin check.
 */
import { Elysia } from "elysia";

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

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function isSameOriginWrite(request: Request): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
  if (request.headers.get("hx-request") !== "true") return false;
  const site = request.headers.get("sec-fetch-site");
  if (site !== null && site !== "same-origin") return false;
  const origin = request.headers.get("origin");
  return origin === null || (URL.canParse(origin) && new URL(origin).host === request.headers.get("host"));
}

export const security = () =>
  new Elysia({ name: "dashboard-security" })
    .onRequest(({ set }) => {
      set.headers["content-security-policy"] = CONTENT_SECURITY_POLICY;
      set.headers["x-content-type-options"] = "nosniff";
      set.headers["referrer-policy"] = "no-referrer";
      set.headers["x-frame-options"] = "DENY";
    })
    .onBeforeHandle({ as: "global" }, ({ request, set }) => {
      if (isSameOriginWrite(request)) return;
      set.status = 403;
      return "Writes are accepted only from the dashboard's own pages.";
    });
