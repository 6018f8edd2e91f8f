/**
 * `--transport mqtt|http`: the simulated devices publish the way real ones do, each as itself
 * through the ingest gateway, instead of writing to the broker. It stands where the bus stands
 * for the publisher (`publish(topic, records)` resolves once every record was acknowledged: a
 * PUBACK, or an HTTP 200), so buffering, retries and drop counting stay the publisher's.
 *
 * A device's token is the one `--provision` got when it created the device; for a device that
 * already existed the simulator asks the registry for a new token (the registry shows a token only
 * once), so a simulated device's token changes at each start of the simulator.
 */
import { decodeDeviceEvent } from "@iot/common/codec";
import type { OutgoingRecord } from "@iot/common/bus";
import { errorMessage, type Logger } from "@iot/common/logger";
import mqtt, { type MqttClient } from "mqtt";

export type Transport = "kafka" | "mqtt" | "http";
export const TRANSPORTS = ["kafka", "mqtt", "http"] as const;

export interface DeviceTransportOptions {
  transport: "mqtt" | "http";
  /** `mqtt://host:port` or `http://host:port` of the ingest gateway. */
  url: string;
  tokens: () => ReadonlyMap<string, string>;
  registryUrl: string;
  adminToken?: string;
  log: Logger;
}

export function createDeviceTransport(o: DeviceTransportOptions) {
  const regenerated = new Map<string, Promise<string>>();
  const clients = new Map<string, Promise<MqttClient>>();

  /** The device's token: the one provisioning returned, or a fresh one from the registry. */
  const tokenFor = (deviceId: string): Promise<string> => {
    const known = o.tokens().get(deviceId);
    if (known) return Promise.resolve(known);
    let pending = regenerated.get(deviceId);
    if (!pending) {
      pending = regenerate(deviceId);
      regenerated.set(deviceId, pending);
      pending.catch(() => regenerated.delete(deviceId));
    }
    return pending;
  };

  async function regenerate(deviceId: string): Promise<string> {
    const res = await fetch(new URL(`/api/devices/${encodeURIComponent(deviceId)}/regenerate-token`, o.registryUrl), {
      method: "POST",
      // The registry takes only JSON writes, body or not (no cross-site "simple request" can write).
      headers: {
        "content-type": "application/json",
        ...(o.adminToken ? { authorization: `Bearer ${o.adminToken}` } : {}),
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (res.status !== 200) throw new Error(`the registry refused a token for ${deviceId}: HTTP ${res.status}`);
    return ((await res.json()) as { token: string }).token;
  }

  /** One MQTT connection per device, as a real fleet has. */
  const clientFor = (deviceId: string): Promise<MqttClient> => {
    let c = clients.get(deviceId);
    if (!c) {
      c = tokenFor(deviceId).then((token) => {
        const client = mqtt.connect(o.url, {
          username: deviceId,
          password: token,
          clientId: deviceId,
          reconnectPeriod: 2_000,
          connectTimeout: 10_000,
          reconnectOnConnackError: true,
        });
        client.on("error", (e) =>
          o.log.debug("device connection error", { device_id: deviceId, error: errorMessage(e) }),
        );
        return client;
      });
      clients.set(deviceId, c);
      c.catch(() => clients.delete(deviceId));
    }
    return c;
  };

  const kindOf = (r: OutgoingRecord) => decodeDeviceEvent(r.value, r.headers).event_type;
  const isProtobuf = (r: OutgoingRecord) => r.headers?.["content-type"] === "application/x-protobuf";

  /** JSON goes as one NDJSON body; protobuf as one request per message. */
  async function post(deviceId: string, kind: string, records: OutgoingRecord[]) {
    const token = await tokenFor(deviceId);
    const bodies: Array<{ type: string; body: Uint8Array | string }> = isProtobuf(records[0]!)
      ? records.map((r) => ({ type: "application/x-protobuf", body: r.value }))
      : [{ type: "application/x-ndjson", body: records.map((r) => new TextDecoder().decode(r.value)).join("\n") }];
    for (const { type, body } of bodies) {
      const res = await fetch(new URL(`/api/v1/devices/${encodeURIComponent(deviceId)}/${kind}`, o.url), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": type },
        body: body as BodyInit,
        signal: AbortSignal.timeout(15_000),
      });
      if (res.status !== 200)
        throw new Error(`ingest answered ${res.status} for ${deviceId}: ${(await res.text()).slice(0, 200)}`);
    }
  }

  return {
    async publish(_topic: string, records: OutgoingRecord[]): Promise<void> {
      const byDevice = Map.groupBy(records, (r) => r.key ?? "");
      if (o.transport === "http") {
        // Telemetry and trends go to their own paths.
        await Promise.all(
          [...byDevice].flatMap(([id, rs]) =>
            [...Map.groupBy(rs, kindOf)].map(([kind, group]) => post(id, kind, group)),
          ),
        );
        return;
      }
      await Promise.all(
        [...byDevice].map(async ([id, rs]) => {
          const client = await clientFor(id);
          for (const r of rs) await client.publishAsync(`devices/${id}/${kindOf(r)}`, Buffer.from(r.value), { qos: 1 });
        }),
      );
    },
    async close() {
      const open = await Promise.allSettled(clients.values());
      await Promise.all(open.map((c) => (c.status === "fulfilled" ? c.value.endAsync(true) : undefined)));
      clients.clear();
    },
  };
}
