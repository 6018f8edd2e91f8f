/**
 * The RPC port: node:http2 in cleartext (h2c), which under Bun serves gRPC, Connect and gRPC-Web
 * (Bun.serve's HTTP/2 has no response trailers, so no gRPC). HTTP/1.1 clients are not served on
 * this port. In front of Connect, the fast path (fast-path.ts) answers the hottest read over gRPC.
 */
import { createServer } from "node:http2";
import type { Http2Server, Http2ServerRequest, IncomingHttpHeaders, ServerHttp2Stream } from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter, ConnectRouterOptions, Interceptor } from "@connectrpc/connect";
import { createConnectRouter } from "@connectrpc/connect";
import { compressionBrotli, compressionGzip, connectNodeAdapter } from "@connectrpc/connect-node";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import type { Listen } from "@iot/common/ops-server";
import type { AdminCheck, WriteGuard } from "../auth";
import type { HostAllowList } from "../host-allow-list";
import type { Devices } from "../devices/devices";
import type { Registry } from "../registry";
import type { CallerFacts } from "./caller";
import { callerContextValues, peerAddress } from "./caller";
import { answerDecodeFailuresAs400 } from "./decode-failures";
import { DEVICE_GUARDED_METHODS, deviceService } from "./device-service";
import { errorInterceptor } from "./errors";
import { createFastPath } from "./fast-path";
import { createReflection } from "./reflection";
import { registryService, WRITE_METHODS } from "./registry-service";
import { requestGate } from "./request-gate";
import type { SessionLimits } from "./session-limits";
import { http2Settings, limitSessions } from "./session-limits";
import type { WatchLimits } from "./watch-limits";
import { limitWatches } from "./watch-limits";

/** Same bound as the REST body limit. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** connect-es's default: smaller answers are not worth compressing. */
const COMPRESS_MIN_BYTES = 1024;
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

/**
 * Puts `take` before node:http2's compatibility layer, the `stream` listener that adding a
 * `request` listener installs (in Node and in Bun alike): a stream `take` does not take goes on
 * to it, and so to Connect.
 */
function inFrontOfConnect(
  server: Http2Server,
  take: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => boolean,
) {
  const [compat, ...others] = server.listeners("stream") as Array<(...args: unknown[]) => void>;
  if (!compat || others.length > 0) throw new Error("expected node:http2's one compatibility listener on 'stream'");
  server.off("stream", compat);
  server.on("stream", function (this: Http2Server, stream: ServerHttp2Stream, headers: IncomingHttpHeaders, ...rest) {
    if (!take(stream, headers)) compat.call(this, stream, headers, ...rest);
  });
}

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
  const callerOf = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders): CallerFacts => {
    const peer = stream.session?.socket?.remoteAddress;
    return {
      peer,
      hostAllowed: hosts.allows(headers[":authority"] ?? headers.host),
      withinSessionCap: sessions.admit(stream),
      admin: isAdmin({ authorization: headers.authorization, remoteAddress: peer }),
    };
  };
  const options: ConnectRouterOptions = {
    requestGate,
    // The first interceptor is the outermost: it maps what the others and the handlers throw.
    interceptors: [
      errorInterceptor(log, (procedure, code) => calls.inc({ procedure, code })),
      watches,
      authorizeWrites(guard),
    ],
    acceptCompression: [compressionGzip, compressionBrotli],
    compressMinBytes: COMPRESS_MIN_BYTES,
    readMaxBytes: MAX_MESSAGE_BYTES,
    shutdownSignal: shutdown.signal,
  };
  const routes = (router: ConnectRouter) => {
    registryService(registry)(router);
    deviceService(devices)(router);
    createReflection([ApplicationRegistryService, DeviceRegistryService])(router);
    answerDecodeFailuresAs400(router);
  };
  server.on(
    "request",
    connectNodeAdapter({
      ...options,
      routes,
      contextValues: (req) => callerContextValues(callerOf((req as Http2ServerRequest).stream, req.headers)),
    }),
  );
  // The fast path's Connect: the same routes and options; connect-node's adapter keeps its own router to itself.
  const byDeviceType = ApplicationRegistryService.method.listApplicationsByDeviceType;
  const router = createConnectRouter(options);
  routes(router);
  const connect = router.handlers.find((h) => h.method === byDeviceType)!;
  const procedure = byDeviceType.name;
  inFrontOfConnect(
    server,
    createFastPath({
      registry,
      connect,
      callerOf,
      acceptCompression: options.acceptCompression!,
      compressMinBytes: COMPRESS_MIN_BYTES,
      readMaxBytes: MAX_MESSAGE_BYTES,
      countOk: () => calls.inc({ procedure, code: "OK" }),
    }),
  );
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
