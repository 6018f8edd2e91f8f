/** How changes travel between replicas (db/pg-notify-feed.ts). */
import type { Application } from "./application";
import type { ApplicationChange } from "./change-feed";
import { MAX_NOTIFY_BYTES, type NotifyCodec } from "./db/pg-notify-feed";
import type { DeviceChange } from "./devices/device";

type ApplicationJson = Omit<Application, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string };
interface ApplicationPayload {
  type: ApplicationChange["type"];
  application: ApplicationJson;
  /** Only what Watch filters on (touches()) is needed of the previous version. */
  previousDeviceTypes?: string[];
  /** The description was too long to send: read the row instead. */
  reread?: true;
}

const revive = (a: ApplicationJson): Application => ({
  ...a,
  createdAt: new Date(a.createdAt),
  updatedAt: new Date(a.updatedAt),
});

export function applicationChangeCodec(
  read: (id: string) => Promise<Application | undefined>,
): NotifyCodec<ApplicationChange> {
  return {
    encode({ type, application, previous }) {
      const payload = { type, application, previousDeviceTypes: previous?.deviceTypes };
      // Descriptions are unbounded; every other field is small. A deleted row cannot be re-read,
      // so it travels without its description.
      return Buffer.byteLength(JSON.stringify(payload)) <= MAX_NOTIFY_BYTES
        ? payload
        : { ...payload, application: { ...application, description: null }, reread: true };
    },
    async decode(payload) {
      const { type, application, previousDeviceTypes, reread } = payload as ApplicationPayload;
      const current = reread && type !== "deleted" ? await read(application.id) : revive(application);
      if (!current) return undefined;
      return {
        type,
        application: current,
        ...(previousDeviceTypes ? { previous: { ...current, deviceTypes: previousDeviceTypes } } : {}),
      };
    },
  };
}

export const deviceChangeCodec: NotifyCodec<DeviceChange> = {
  encode: (change) => change,
  decode: async (payload) => payload as DeviceChange,
};
