/**
 * Checks every RPC meets before its request body is read, whatever the service (registry,
 * devices, reflection): connect-es's request gate. The Host must be one this registry answers
 * to, and the request must fit its connection's stream cap. Refusals are Connect errors, so each
 * protocol's client reads them as such (gRPC status, Connect JSON with HTTP 403/429), never as a
 * reset stream.
 */
import type { HandlerContext } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { hostAllowed, withinSessionCap } from "./caller";

export function requestGate(context: HandlerContext): void {
  if (!context.values.get(hostAllowed))
    throw new ConnectError("Host not allowed: add it to REGISTRY_ALLOWED_HOSTS", Code.PermissionDenied);
  if (!context.values.get(withinSessionCap))
    throw new ConnectError("too many concurrent requests on this connection", Code.ResourceExhausted);
}
