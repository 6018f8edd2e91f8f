/**
 * The registry's two change feeds (applications, devices). SQLite is one process's file, so an
 * in-process feed sees every write; with PostgreSQL, several replicas may write, and their changes
 * are relayed with LISTEN/NOTIFY (db/pg-notify-feed.ts).
 */
import type { Logger } from "@iot/common/logger";
import { errorMessage } from "@iot/common/logger";
import type { Application } from "./application";
import type { ChangeFeed } from "./change-feed";
import { createChangeFeed } from "./change-feed";
import { openPgNotify } from "./db/pg-notify-feed";
import type { DeviceChange } from "./devices/device";
import { rootCause } from "./errors";
import { applicationChangeCodec, deviceChangeCodec } from "./feed-codecs";

export interface ChangeFeeds {
  applications: ChangeFeed;
  devices: ChangeFeed<DeviceChange>;
  close(): Promise<void>;
}

export async function openChangeFeeds(
  databaseUrl: string | undefined,
  readApplication: (id: string) => Promise<Application | undefined>,
  log: Logger,
): Promise<ChangeFeeds> {
  const listenerFailed = (e: unknown) => log.error("change listener failed", { error: errorMessage(e) });
  const applications = createChangeFeed(listenerFailed);
  const devices = createChangeFeed<DeviceChange>(listenerFailed);
  const closeLocal = async () => {
    applications.close();
    devices.close();
  };
  if (!databaseUrl) return { applications, devices, close: closeLocal };
  const notify = await openPgNotify(databaseUrl, (e) =>
    log.error("change relay failed", { error: errorMessage(rootCause(e)) }),
  );
  try {
    return {
      applications: await notify.relay(
        "app_registry_applications",
        applications,
        applicationChangeCodec(readApplication),
      ),
      devices: await notify.relay("app_registry_devices", devices, deviceChangeCodec),
      async close() {
        await closeLocal();
        await notify.close();
      },
    };
  } catch (e) {
    await notify.close();
    throw e;
  }
}
