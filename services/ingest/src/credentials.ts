/**
 * Device credentials kept in memory, so that authenticating a connection or a request makes no
 * registry call. Filled by the registry's WatchDevices stream (a snapshot, then every change) and
 * re-opened with backoff on any error; while the registry is away the last known credentials stay
 * in use, so known devices keep working through an outage.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createClient, type Transport } from "@connectrpc/connect";
import { type DeviceCredential, DeviceRegistryService, DeviceStatus } from "@gen/iot/registry/v1/devices_pb";
import { ChangeType } from "@gen/iot/registry/v1/registry_pb";
import { type Clock, systemClock } from "@iot/common/clock";
import { createFirstSync } from "@iot/common/first-sync";
import { errorMessage, type Logger } from "@iot/common/logger";

/** Why a device was let in or not; the refusals are counted under these names. */
export type Verdict =
  | { ok: true; deviceType: string }
  | { ok: false; reason: "bad_credentials" | "disabled" | "registry_unavailable" };

export interface Credentials {
  /** Checks `token` against the device's stored hash. Unknown devices and wrong tokens look the same to the caller. */
  verify(deviceId: string, token: string | undefined): Verdict;
  /** True while the stream is open and has delivered its snapshot. */
  readonly current: boolean;
  /** Resolves with the first snapshot (true), or with false after `timeoutMs` without one. */
  synced(timeoutMs: number): Promise<boolean>;
  /** Devices known now. */
  size(): number;
  /** Called with a device whose credential stopped being valid (disabled, deleted, new token), so its open connections can be closed. */
  onRevoked(listener: (deviceId: string) => void): void;
  start(): void;
  stop(): Promise<void>;
}

export interface CredentialsOptions {
  transport: Transport;
  log: Logger;
  /** `authorization: Bearer …` on the watch, when the registry has an admin token. */
  token?: string;
  backoff?: { initialMs: number; maxMs: number };
  clock?: Clock;
}

export const sha256Hex = (text: string) => createHash("sha256").update(text).digest("hex");

export function createCredentials(opts: CredentialsOptions): Credentials {
  const client = createClient(DeviceRegistryService, opts.transport);
  const clock = opts.clock ?? systemClock;
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 5_000 };
  const headers = opts.token ? { authorization: `Bearer ${opts.token}` } : undefined;
  let devices = new Map<string, DeviceCredential>();
  let current = false;
  const firstSync = createFirstSync();
  let running = false;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let delay = backoff.initialMs;
  const revokedListeners: Array<(deviceId: string) => void> = [];
  /** A device that could connect before and cannot (or not with the same token) now. */
  const revoked = (before: DeviceCredential | undefined, after: DeviceCredential | undefined) =>
    before?.status === DeviceStatus.ENABLED &&
    (after?.status !== DeviceStatus.ENABLED || after.tokenSha256 !== before.tokenSha256);
  const revoke = (deviceId: string) => revokedListeners.forEach((f) => f(deviceId));

  async function watchOnce(signal: AbortSignal) {
    for await (const res of client.watchDevices({}, { signal, headers })) {
      const ev = res.event;
      if (ev.case === "snapshot") {
        // Swapped whole: a device deleted while the stream was down is gone after the new snapshot.
        const previous = devices;
        devices = new Map(ev.value.devices.map((d) => [d.deviceId, d]));
        for (const [id, d] of previous) if (revoked(d, devices.get(id))) revoke(id);
        current = true;
        firstSync.done();
        delay = backoff.initialMs;
        opts.log.info("device credentials synced", { devices: devices.size });
      } else if (ev.case === "change" && ev.value.device) {
        const d = ev.value.device;
        const before = devices.get(d.deviceId);
        if (ev.value.type === ChangeType.DELETED) devices.delete(d.deviceId);
        else devices.set(d.deviceId, d);
        if (revoked(before, devices.get(d.deviceId))) revoke(d.deviceId);
      }
    }
  }

  async function run() {
    while (running) {
      abort = new AbortController();
      try {
        await watchOnce(abort.signal);
        throw new Error("the registry closed the device watch");
      } catch (e) {
        if (!running) break;
        current = false;
        opts.log.warn("device watch failed; using the last known credentials", {
          error: errorMessage(e),
          devices: devices.size,
          retry_in_ms: delay,
        });
        await clock.sleep(delay, abort.signal);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }

  return {
    verify(deviceId, token) {
      // Before the first snapshot every device would look unknown; it is the registry that is missing.
      if (!firstSync.synced) return { ok: false, reason: "registry_unavailable" };
      const d = devices.get(deviceId);
      // A hash is computed for unknown devices too, so the answer takes as long either way.
      const presented = Buffer.from(sha256Hex(token ?? ""), "latin1");
      const stored = Buffer.from(d?.tokenSha256.toLowerCase() ?? "", "latin1");
      const matches =
        token !== undefined && token !== "" && stored.length === presented.length && timingSafeEqual(stored, presented);
      if (!d || !matches) return { ok: false, reason: "bad_credentials" };
      if (d.status !== DeviceStatus.ENABLED) return { ok: false, reason: "disabled" };
      return { ok: true, deviceType: d.deviceType };
    },
    get current() {
      return current;
    },
    synced: (timeoutMs) => firstSync.wait(timeoutMs),
    size: () => devices.size,
    onRevoked: (listener) => void revokedListeners.push(listener),
    start() {
      running = true;
      loop = run();
    },
    async stop() {
      running = false;
      abort?.abort("stop");
      await loop;
    },
  };
}
