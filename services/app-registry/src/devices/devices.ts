/**
 * Devices: provisioning, credentials and the credential feed. Plain functions on decoded input
 * (devices/device-input.ts); the device type is checked here because the set of types is the
 * device registry file's, which changes while the service runs.
 */
import type { ChangeFeed } from "../change-feed";
import type { DeviceInsert, DeviceRepository } from "../db/device-repository";
import { ImportTooLargeError, NotFoundError, ValidationError } from "../errors";
import { watchFeed } from "../feed-watch";
import type { Device, DeviceChange, DeviceCredential, DevicePatch, DeviceQuery, NewDevice } from "./device";
import { credentialOf, sameDevice } from "./device";
import { newDeviceToken, tokenSha256 } from "./device-token";

export const MAX_IMPORT_ROWS = 10_000;
/** Rows per transaction: a chunk is all-or-nothing, and no transaction holds the database for long. */
const IMPORT_CHUNK = 500;

/** One import row: decoded input, or why it could not be. */
export type ImportRow = { ok: NewDevice } | { error: string; deviceId?: string };

export type ImportResult =
  | { index: number; deviceId: string; outcome: "created"; token: string }
  | { index: number; deviceId: string; outcome: "unchanged" }
  | { index: number; deviceId: string; outcome: "error"; error: string };

export interface DevicesDeps {
  repo: DeviceRepository;
  feed: ChangeFeed<DeviceChange>;
  /** Whether the device registry file names this type now. */
  knownType: (deviceType: string) => boolean;
  now?: () => Date;
}

export type Devices = ReturnType<typeof createDevices>;

const unknownType = (deviceType: string) => `Unknown device type ${deviceType}: not in the device registry.`;

export function createDevices({ repo, feed, knownType, now = () => new Date() }: DevicesDeps) {
  const found = <T>(value: T | undefined) => {
    if (value === undefined) throw new NotFoundError("Device not found");
    return value;
  };
  const checkType = (deviceType: string | undefined) => {
    if (deviceType !== undefined && !knownType(deviceType))
      throw new ValidationError({ device_type: [unknownType(deviceType)] });
  };
  const newRow = (fields: NewDevice, at: Date): { row: DeviceInsert; token: string } => {
    const token = newDeviceToken();
    return { row: { ...fields, createdAt: at, updatedAt: at, tokenSha256: tokenSha256(token) }, token };
  };

  return {
    /** With `regenerateToken`, the only call that returns a token. */
    async create(fields: NewDevice): Promise<{ device: Device; token: string }> {
      checkType(fields.deviceType);
      const { row, token } = newRow(fields, now());
      const device = await repo.insert(row);
      feed.publish({ type: "created", credential: credentialOf(row) });
      return { device, token };
    },

    get: async (deviceId: string) => found(await repo.get(deviceId)),

    async list({ limit, offset, ...filter }: DeviceQuery) {
      const [devices, total] = await Promise.all([repo.find(filter, { limit, offset }), repo.count(filter)]);
      return { devices, total };
    },

    /** Partial: a field the input does not name keeps its value. */
    async update(deviceId: string, patch: DevicePatch): Promise<Device> {
      checkType(patch.deviceType);
      if (Object.keys(patch).length === 0) return found(await repo.get(deviceId));
      const { device, credential } = found(await repo.update(deviceId, { ...patch, updatedAt: now() }));
      feed.publish({ type: "updated", credential });
      return device;
    },

    async remove(deviceId: string): Promise<void> {
      feed.publish({ type: "deleted", credential: found(await repo.delete(deviceId)) });
    },

    async regenerateToken(deviceId: string): Promise<string> {
      const token = newDeviceToken();
      feed.publish({
        type: "updated",
        credential: found(await repo.setTokenHash(deviceId, tokenSha256(token), now())),
      });
      return token;
    },

    /**
     * Idempotent: a row equal to the stored device is unchanged, a new id is created, anything
     * else is an error for that row alone. Rows are written a chunk per transaction.
     */
    async importDevices(rows: ImportRow[]): Promise<ImportResult[]> {
      if (rows.length > MAX_IMPORT_ROWS) throw new ImportTooLargeError(MAX_IMPORT_ROWS);
      const results: ImportResult[] = new Array(rows.length);
      // An id repeated within the import is compared with its first occurrence.
      const first = new Map<string, NewDevice>();
      const pending: { index: number; fields: NewDevice; row: DeviceInsert; token: string }[] = [];
      const at = now();
      rows.forEach((r, index) => {
        if ("error" in r)
          return void (results[index] = { index, deviceId: r.deviceId ?? "", outcome: "error", error: r.error });
        const fields = r.ok;
        const { deviceId } = fields;
        const earlier = first.get(deviceId);
        if (earlier) {
          results[index] = sameDevice(earlier, fields)
            ? { index, deviceId, outcome: "unchanged" }
            : { index, deviceId, outcome: "error", error: `device_id: repeated in this import with different fields.` };
          return;
        }
        first.set(deviceId, fields);
        if (!knownType(fields.deviceType))
          return void (results[index] = {
            index,
            deviceId,
            outcome: "error",
            error: `device_type: ${unknownType(fields.deviceType)}`,
          });
        pending.push({ index, fields, ...newRow(fields, at) });
      });
      for (let i = 0; i < pending.length; i += IMPORT_CHUNK) {
        const chunk = pending.slice(i, i + IMPORT_CHUNK);
        const { created, existing } = await repo.importChunk(chunk.map((p) => p.row));
        for (const { index, fields, row, token } of chunk) {
          const { deviceId } = fields;
          if (created.has(deviceId)) {
            results[index] = { index, deviceId, outcome: "created", token };
            feed.publish({ type: "created", credential: credentialOf(row) });
          } else {
            const stored = existing.get(deviceId);
            results[index] =
              stored && sameDevice(stored, fields)
                ? { index, deviceId, outcome: "unchanged" }
                : {
                    index,
                    deviceId,
                    outcome: "error",
                    error: `device_id: Device ${deviceId} already exists with different fields.`,
                  };
          }
        }
      }
      return results;
    },

    /** Every device's credential, then every change from any replica. For ingest gateways: admin only. */
    watch: (signal: AbortSignal) =>
      watchFeed<DeviceCredential, DeviceChange>(
        feed,
        () => repo.credentials(),
        () => true,
        signal,
      ),
  };
}
