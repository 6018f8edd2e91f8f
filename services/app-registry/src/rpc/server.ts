/**
 * The RPC port: node:http2 in cleartext (h2c), which under Bun serves gRPC, Connect and gRPC-Web
 * (Bun.serve cannot: it speaks HTTP/1.1 only). HTTP/1.1 clients are not served on this port.
 */
import { createServer } from "node:http2";
import type { Http2ServerRequest } from "node:http2";
import type { AddressInfo } from "node:net";
import type { Interceptor } from "@connectrpc/connect";
import { createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import type { Listen } from "@iot/common/ops-server";
import type { AdminCheck, WriteGuard } from "../auth";
import type { HostAllowList } from "../host-allow-list";
import type { Devices } from "../devices/devices";
import type { Registry } from "../registry";
import { callerIsAdmin, hostAllowed, peerAddress, withinSessionCap } from "./caller";
import { answerDecodeFailuresAs400 } from "./decode-failures";
import { DEVICE_GUARDED_METHODS, deviceService } from "./device-service";
import { errorInterceptor } from "./errors";
import { createReflection } from "./reflection";
import { registryService, WRITE_METHODS } from "./registry-service";
import { requestGate } from "./request-gate";
import type { SessionLimits } from "./session-limits";
import { http2Settings, limitSessions } from "./session-limits";
import type { WatchLimits } from "./watch-limits";
import { limitWatches } from "./watch-limits";

/** Same bound as the REST body limit. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long a stopping (or expired) connection may finish its open streams before it is cut. */
const CLOSE_GRACE_MS = 2_000;

/** Per service, the methods that need the write guard. */
const GUARDED: Record<string, ReadonlySet<string>> = {
  [ApplicationRegistryService.typeName]: WRITE_METHODS,
  [DeviceRegistryService.typeName]: DEVICE_GUARDED_METHODS,
};

const authorizeWrites =
  (guard: WriteGuard): Interceptor =>
  (next) =>
  (req) => {
    if (GUARDED[req.service.typeName]?.has(req.method.name))
      guard({ authorization: req.header.get("authorization"), remoteAddress: req.contextValues.get(peerAddress) });
    return next(req);
  };

export interface RpcServerDeps {
  registry: Registry;
  devices: Devices;
  guard: WriteGuard;
  isAdmin: AdminCheck;
  hosts: HostAllowList;
  log: Logger;
  metrics: Metrics;
}

export interface RpcLimits {
  sessions: Omit<SessionLimits, "graceMs">;
  watches: WatchLimits;
}

export async function startRpcServer(
  listen: Listen,
  limits: RpcLimits,
  { registry, devices, guard, isAdmin, hosts, log, metrics }: RpcServerDeps,
) {
  const calls = metrics.counter("app_registry_rpc_requests_total", "RPCs by procedure and code.", [
    "procedure",
    "code",
  ]);
  const watches = limitWatches(limits.watches);
  // Aborting ends every handler's signal, so open Watch streams finish and connections can close.
  const shutdown = new AbortController();
  const sessionLimits = { ...limits.sessions, graceMs: CLOSE_GRACE_MS };
  const server = createServer({ settings: http2Settings(sessionLimits) });
  const sessions = limitSessions(server, sessionLimits);
  metrics.gauge("app_registry_rpc_connections", "Open HTTP/2 connections to the RPC port.", () => sessions.open);
  const context = (req: Http2ServerRequest) => {
    const remoteAddress = req.socket.remoteAddress;
    const authorization = req.headers.authorization;
    return createContextValues()
      .set(peerAddress, remoteAddress)
      .set(hostAllowed, hosts.allows(req.headers[":authority"] ?? req.headers.host))
      .set(withinSessionCap, sessions.admit(req))
      .set(callerIsAdmin, isAdmin({ authorization, remoteAddress }));
  };
  const handler = connectNodeAdapter({
    routes: (router) => {
      registryService(registry)(router);
      deviceService(devices)(router);
      createReflection([ApplicationRegistryService, DeviceRegistryService])(router);
      answerDecodeFailuresAs400(router);
    },
    requestGate,
    // The first interceptor is the outermost: it maps what the others and the handlers throw.
    interceptors: [
      errorInterceptor(log, (procedure, code) => calls.inc({ procedure, code })),
      watches,
      authorizeWrites(guard),
    ],
    contextValues: (req) => context(req as Http2ServerRequest),
    readMaxBytes: MAX_MESSAGE_BYTES,
    shutdownSignal: shutdown.signal,
  });
  server.on("request", handler);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(listen.port, listen.host, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    /** The address it listens on (a wildcard such as "::" when on every interface). */
    address: (server.address() as AddressInfo).address,
    async close() {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      sessions.retireAll();
      await closed;
    },
  };
}
