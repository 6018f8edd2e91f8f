/**
 * Checks every REST request meets before routing, so routes added later inherit them:
 *   - `Host` must be a name this registry answers to (DNS rebinding gets a 403 and nothing else);
 *   - a write (POST, PUT, PATCH, DELETE), even a body-less one such as regenerate-key, must
 *     declare a content type no browser sends cross-origin without a CORS preflight (which this
 *     server never grants): JSON, or CSV for bulk imports. A form or text/plain "simple request"
 *     from another site's page is refused with 415 before anything runs.
 */
import { Elysia } from "elysia";
import type { HostAllowList } from "../host-allow-list";
import { HttpError } from "./errors";

const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const WRITE_TYPES = /^(?:application\/(?:[\w.+-]+\+)?json|text\/csv)\s*(?:;|$)/i;

export function requestGate(hosts: HostAllowList) {
  return new Elysia({ name: "request-gate" }).onRequest(({ request }) => {
    // Bun builds the URL from the Host header.
    if (!hosts.allows(new URL(request.url).host))
      throw new HttpError(403, "Host not allowed: add it to REGISTRY_ALLOWED_HOSTS");
    if (WRITES.has(request.method) && !WRITE_TYPES.test(request.headers.get("content-type") ?? ""))
      throw new HttpError(415, "Content-Type must be application/json");
  });
}
