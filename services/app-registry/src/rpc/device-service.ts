/** DeviceRegistryService: decode → the same domain calls as REST → encode. */
import type { ConnectRouter } from "@connectrpc/connect";
import { DeviceRegistryService } from "@gen/iot/registry/v1/devices_pb";
import type { Devices } from "../devices/devices";
import {
  deviceIdIn,
  devicePatchIn,
  deviceOut,
  deviceQueryIn,
  deviceWatchOut,
  importResultOut,
  importRowsIn,
  newDeviceIn,
} from "./device-convert";

/**
 * Methods the request gate authorizes (server.ts): the writes, and WatchDevices, which carries
 * every device's token hash.
 */
export const DEVICE_GUARDED_METHODS: ReadonlySet<string> = new Set([
  "CreateDevice",
  "UpdateDevice",
  "DeleteDevice",
  "RegenerateDeviceToken",
  "ImportDevices",
  "WatchDevices",
]);

export const deviceService = (devices: Devices) => (router: ConnectRouter) =>
  router.service(DeviceRegistryService, {
    async createDevice(req) {
      const { device, token } = await devices.create(newDeviceIn(req));
      return { device: deviceOut(device), token };
    },
    getDevice: async (req) => ({ device: deviceOut(await devices.get(deviceIdIn(req))) }),
    async listDevices(req) {
      const { devices: found, total } = await devices.list(deviceQueryIn(req));
      return { devices: found.map(deviceOut), total };
    },
    updateDevice: async (req) => ({ device: deviceOut(await devices.update(deviceIdIn(req), devicePatchIn(req))) }),
    async deleteDevice(req) {
      await devices.remove(deviceIdIn(req));
      return {};
    },
    regenerateDeviceToken: async (req) => ({ token: await devices.regenerateToken(deviceIdIn(req)) }),
    importDevices: async (req) => ({
      results: (await devices.importDevices(importRowsIn(req.devices))).map(importResultOut),
    }),
    async *watchDevices(_req, ctx) {
      for await (const event of devices.watch(ctx.signal)) yield deviceWatchOut(event);
    },
  });
