/**
 * The RPC port: node:http2 in cleartext (h2c), which under Bun serves gRPC, Connect and gRPC-Web
 * (Bun.serve cannot: it speaks HTTP/1.1 only). HTTP/1.1 clients are not served on this port.
 */
import { createServer } from "node:http2";
import type { Http2Session } from "node:http2";
import type { AddressInfo } from "node:net";
import type { Interceptor } from "@connectrpc/connect";
import { createContextKey, createContextValues } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import type { Logger } from "@iot/common/logger";
import type { Metrics } from "@iot/common/metrics";
import type { WriteGuard } from "../auth";
import type { Devices } from "../devices/devices";
import type { Registry } from "../registry";
import { DEVICE_GUARDED_METHODS, deviceService } from "./device-service";
import { errorInterceptor } from "./errors";
import { createReflection } from "./reflection";
import { registryService, WRITE_METHODS } from "./registry-service";

/** Same bound as the REST body limit. */
const MAX_MESSAGE_BYTES = 64 * 1024;
/** How long a stopping server waits for open streams before cutting their connections. */
const CLOSE_GRACE_MS = 2_000;

const peerAddress = createContextKey<string | undefined>(undefined, { description: "the caller's IP address" });

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
  log: Logger;
  metrics: Metrics;
}

export async function startRpcServer(port: number, { registry, devices, guard, log, metrics }: RpcServerDeps) {
  const calls = metrics.counter("app_registry_rpc_requests_total", "RPCs by procedure and code.", ["procedure", "code"]);
  // Aborting ends every handler's signal, so open Watch streams finish and connections can close.
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: (router) => {
      registryService(registry)(router);
      deviceService(devices)(router);
      createReflection([ApplicationRegistryService, DeviceRegistryService])(router);
    },
    // The first interceptor is the outermost: it maps what authorization and handlers throw.
    interceptors: [errorInterceptor(log, (procedure, code) => calls.inc({ procedure, code })), authorizeWrites(guard)],
    contextValues: (req) => createContextValues().set(peerAddress, req.socket.remoteAddress),
    readMaxBytes: MAX_MESSAGE_BYTES,
    shutdownSignal: shutdown.signal,
  });
  const server = createServer(handler);
  const sessions = new Set<Http2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      const cut = setTimeout(() => sessions.forEach((s) => s.destroy()), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(cut);
    },
  };
}
