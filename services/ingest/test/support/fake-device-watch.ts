/**
 * A registry's WatchDevices in memory (Connect's router transport): a snapshot of the devices now,
 * then each change made through this object. `down()` breaks every open stream and refuses new
 * ones, like a registry outage; `up()` ends it.
 */
import { create } from "@bufbuild/protobuf";
import { createServer } from "node:http2";
import { Code, ConnectError, type ConnectRouter, createRouterTransport } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import {
  type DeviceCredential,
  DeviceCredentialSchema,
  DeviceRegistryService,
  DeviceStatus,
  type WatchDevicesResponse,
} from "@gen/iot/registry/v1/devices_pb";
import { ChangeType } from "@gen/iot/registry/v1/registry_pb";
import { sha256Hex } from "../../src/credentials";

export const credential = (
  deviceId: string,
  token: string,
  status = DeviceStatus.ENABLED,
  deviceType = "smart_meter",
): DeviceCredential => create(DeviceCredentialSchema, { deviceId, deviceType, status, tokenSha256: sha256Hex(token) });

interface Stream {
  push(ev: WatchDevicesResponse["event"]): void;
  fail(e: Error): void;
}

export function createFakeDeviceWatch(initial: DeviceCredential[] = []) {
  const devices = new Map(initial.map((d) => [d.deviceId, d]));
  const streams = new Set<Stream>();
  let isDown = false;
  /** Authorization headers seen on watch calls. */
  const authorizations: Array<string | null> = [];

  const routes = ({ service }: ConnectRouter) =>
    service(DeviceRegistryService, {
      async *watchDevices(_req, ctx) {
        authorizations.push(ctx.requestHeader.get("authorization"));
        if (isDown) throw new ConnectError("registry down", Code.Unavailable);
        const queue: Array<WatchDevicesResponse["event"] | Error> = [
          { case: "snapshot", value: { $typeName: "iot.registry.v1.DeviceSnapshot", devices: [...devices.values()] } },
        ];
        let wake: (() => void) | undefined;
        const stream: Stream = {
          push: (ev) => (queue.push(ev), wake?.()),
          fail: (e) => (queue.push(e), wake?.()),
        };
        streams.add(stream);
        ctx.signal.addEventListener("abort", () => wake?.());
        try {
          while (!ctx.signal.aborted) {
            const next = queue.shift();
            if (next === undefined) {
              await new Promise<void>((resolve) => (wake = resolve));
              continue;
            }
            if (next instanceof Error) throw next;
            yield { event: next };
          }
        } finally {
          streams.delete(stream);
        }
      },
    });
  const transport = createRouterTransport(routes);

  const change = (type: ChangeType, device: DeviceCredential) => {
    for (const s of streams)
      s.push({ case: "change", value: { $typeName: "iot.registry.v1.DeviceChange", type, device } });
  };

  return {
    transport,
    /** The same service on a real h2c port (gRPC), for gateways running as their own process. */
    async serve(): Promise<{ url: string; close: () => Promise<void> }> {
      const server = createServer(connectNodeAdapter({ routes }));
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      const { port } = server.address() as { port: number };
      return {
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((resolve) => {
            for (const s of streams) s.fail(new ConnectError("closing", Code.Unavailable));
            server.close(() => resolve());
          }),
      };
    },
    authorizations,
    openStreams: () => streams.size,
    put(d: DeviceCredential) {
      const type = devices.has(d.deviceId) ? ChangeType.UPDATED : ChangeType.CREATED;
      devices.set(d.deviceId, d);
      change(type, d);
    },
    remove(deviceId: string) {
      const d = devices.get(deviceId);
      if (!d) return;
      devices.delete(deviceId);
      change(ChangeType.DELETED, d);
    },
    down() {
      isDown = true;
      for (const s of streams) s.fail(new ConnectError("registry went away", Code.Unavailable));
    },
    up() {
      isDown = false;
    },
  };
}
