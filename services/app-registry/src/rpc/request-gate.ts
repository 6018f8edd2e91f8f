/**
 * Checks every RPC meets before its handler, whatever the service (registry, devices,
 * reflection): the Host must be one this registry answers to, and the request must fit its
 * connection's stream cap. Refusals are Connect errors, so each protocol's client reads them as
 * such (gRPC status, Connect JSON with HTTP 403/429), never as a reset stream.
 */
import type { Interceptor } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { PermissionDeniedError } from "../errors";
import { hostAllowed, withinSessionCap } from "./caller";

export const requestGate: Interceptor = (next) => (req) => {
  if (!req.contextValues.get(hostAllowed)) throw new PermissionDeniedError("Host not allowed: add it to REGISTRY_ALLOWED_HOSTS");
  if (!req.contextValues.get(withinSessionCap)) throw new ConnectError("too many concurrent requests on this connection", Code.ResourceExhausted);
  return next(req);
};
