/**
 * Bridge mode, for users who already run an MQTT broker: subscribe to its devices' topics with an
 * MQTT 5 shared subscription (`$share/<group>/devices/+/telemetry|trends`), so that the broker
 * spreads the messages over every ingest replica in the group. That broker authenticates and
 * authorizes its devices; here the device id is the one in the topic. A QoS 1 message is
 * acknowledged to that broker only after our broker acknowledged its record (MQTT.js sends the
 * PUBACK once `handleMessage` calls back). MQTT.js handles one message at a time per connection,
 * so the bridge opens several connections in the group.
 */
import mqtt, { type MqttClient } from "mqtt";
import { errorMessage, type Logger } from "@iot/common/logger";
import { mqttRecord } from "./device-records";
import { parseDeviceTopic, sharedSubscriptions } from "./device-topics";
import type { IngestMetrics } from "./ingest-metrics";
import type { Batcher } from "./raw-batcher";

export interface BridgeOptions {
  url: string;
  group: string;
  batcher: Batcher;
  metrics: IngestMetrics;
  log: Logger;
  maxPayloadBytes: number;
  connections?: number;
}

export function createBridge(o: BridgeOptions) {
  let clients: MqttClient[] = [];
  /** Connections whose shared subscription the broker granted (since their last connect). */
  const subscribed = new Set<MqttClient>();

  /** The record for a bridged message, or why it is dropped (acked to the source broker, counted, never retried). */
  function handle(topic: string, payload: Buffer): Promise<void> {
    const t = parseDeviceTopic(topic);
    if (!t) return refuse("foreign_topic");
    if (payload.length > o.maxPayloadBytes) return refuse("oversize");
    const r = mqttRecord(t.deviceId, payload, "mqtt-bridge");
    if (!r.ok) return refuse(r.reason);
    return o.batcher.submit([r.record]).then(() => o.metrics.acked("mqtt-bridge", 1));
  }
  const refuse = async (reason: "foreign_topic" | "oversize" | "device_mismatch") =>
    o.metrics.refused("mqtt-bridge", reason);

  function open(i: number): MqttClient {
    const client = mqtt.connect(o.url, {
      protocolVersion: 5,
      clientId: `${o.group}-${crypto.randomUUID().slice(0, 8)}-${i}`,
      reconnectPeriod: 1_000,
      connectTimeout: 5_000,
    });
    client.handleMessage = (packet, done) => {
      handle(packet.topic, packet.payload as Buffer).then(
        () => done(),
        (e) => done(e),
      );
    };
    client.on("connect", () => {
      client.subscribe(sharedSubscriptions(o.group), { qos: 1 }, (e, granted) => {
        if (e) return o.log.warn("bridge subscribe failed", { error: errorMessage(e) });
        subscribed.add(client);
        o.log.info("bridge subscribed", { url: redact(o.url), granted: granted?.map((g) => `${g.topic}:${g.qos}`) });
      });
    });
    client.on("close", () => subscribed.delete(client));
    client.on("error", (e) => o.log.warn("bridge connection error", { error: errorMessage(e) }));
    return client;
  }

  return {
    async start() {
      clients = Array.from({ length: o.connections ?? 4 }, (_, i) => open(i));
    },
    /** Every connection is subscribed: for readiness. */
    connected: () => clients.length > 0 && subscribed.size === clients.length,
    async stop() {
      await Promise.all(clients.map((c) => c.endAsync()));
      clients = [];
    },
  };
}

/** The URL without its password, for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable url)";
  }
}
