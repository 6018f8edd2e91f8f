/**
 * The devices' MQTT server: aedes 2 (MQTT 3.1, 3.1.1 and 5) with our policy in its hooks:
 * - CONNECT: username = device id, password = token, checked against the local credentials cache.
 *   Refused (and counted by reason) with "not authorized" (MQTT 5: 0x86 bad user name or password
 *   for wrong or missing credentials, 0x87 not authorized for a disabled device), or "server
 *   unavailable" (0x88) while the cache has had no snapshot yet and for a device reconnecting faster
 *   than `connectsPerMinute` (aedes lets a hook choose only among the MQTT 3.1.1 return codes 2–5, so
 *   not 0x9F). Wills are dropped (a device's disconnect is not telemetry); client ids are namespaced
 *   by device, so one device cannot take over another's session.
 * - PUBLISH: only to `devices/{own id}/telemetry|trends`, payload within the limit, `device_id`
 *   matching. The record is handed to the batcher inside `authorizePublish`, whose callback runs
 *   only once the broker acknowledged it: aedes writes the PUBACK (QoS 1) or PUBREC (QoS 2) after
 *   that callback, so a device's ack means its record is in `iot.raw`. aedes reads a connection's next
 *   chunk only after every packet of the last one was handled, so a pending ack stops reading that socket.
 *   A refused publish closes an MQTT 3.1.1 connection (it has no negative PUBACK). An MQTT 5 one stays
 *   open: aedes answers a refused QoS 1/2 publish with reason code 0x87 (the only one it lets a hook
 *   send; the Reason String names our reason) and drops a refused QoS 0 one. A wildcard topic
 *   closes the connection (aedes refuses it before our hook), and a packet over the size limit is
 *   refused from its header: MQTT 5 gets DISCONNECT 0x95 (the limit is in its CONNACK), 3.1.1 a close.
 * - SUBSCRIBE: devices need none; each is answered with a failure (0x80; MQTT 5: 0x87).
 */
import { createServer, type Server, type Socket } from "node:net";
import { Aedes, type Client, type PublishPacket } from "aedes";
import { createWebSocketStream, WebSocketServer } from "ws";
import { errorMessage, type Logger } from "@iot/common/logger";
import type { Credentials } from "./credentials";
import { mqttRecord } from "./device-records";
import { authorizeTopic } from "./device-topics";
import type { IngestMetrics, RefusalReason } from "./ingest-metrics";
import { classify, markMalformed } from "./mqtt-input";
import type { Batcher } from "./raw-batcher";

export interface MqttServerOptions {
  port: number;
  /** Where the MQTT (and WebSocket) listeners bind. */
  bindHost: string;
  /** MQTT over WebSocket on this port; -1: off. */
  wsPort: number;
  credentials: Credentials;
  batcher: Batcher;
  metrics: IngestMetrics;
  log: Logger;
  maxPayloadBytes: number;
  connectTimeoutMs: number;
  connectsPerMinute: number;
}

/**
 * A device's publish, once authorized (and so already in `iot.raw`), has nowhere else to go: no
 * connection may subscribe. Skipping aedes' routing of it (topic matching, offline queues, the
 * in-process emitter) saves work on every message; the broker's own system messages still route.
 */
class DeviceBroker extends Aedes {
  // aedes calls publish(packet, client, done) for a client's publish; its typings name only (packet, done).
  override publish(packet: PublishPacket, clientOrDone: unknown, done?: (e?: Error) => void): void {
    if (clientOrDone && typeof clientOrDone === "object") return void done?.();
    (Aedes.prototype.publish as (...args: unknown[]) => void).call(this, packet, clientOrDone, done);
  }
}

/** Errors we raised (already counted) carry their reason. */
class Refusal extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly returnCode?: number,
  ) {
    super(message);
  }
}
/** CONNACK return codes a hook may choose; aedes sends MQTT 5 clients the matching reason code. */
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;
const SERVER_UNAVAILABLE = 3;
/** Room for the topic and the packet's own fields on top of the payload limit. */
const PACKET_OVERHEAD = 512;

/** MQTT 3.1.1 devices keep the one "not authorized" they always got; MQTT 5 ones learn which it was. */
function connackCode(reason: RefusalReason, version: number) {
  if (reason === "registry_unavailable") return SERVER_UNAVAILABLE;
  return reason === "bad_credentials" && version === 5 ? BAD_USERNAME_OR_PASSWORD : NOT_AUTHORIZED;
}

export function createMqttServer(o: MqttServerOptions) {
  const deviceOf = new WeakMap<Client, string>();
  /** Open connections by device, so a revoked device is disconnected at once. */
  const connectionsOf = new Map<string, Set<Client>>();
  o.credentials.onRevoked((deviceId) => {
    const open = connectionsOf.get(deviceId);
    if (!open) return;
    o.log.info("device credentials revoked; closing its connections", { device_id: deviceId, connections: open.size });
    for (const c of open) c.close();
  });
  const connectTimes = new Map<string, number[]>();
  const refuse = (reason: RefusalReason, message: string, returnCode?: number) => {
    o.metrics.refused("mqtt", reason);
    return new Refusal(reason, message, returnCode);
  };

  /** True when the device has connected `connectsPerMinute` times in the last minute. */
  const tooFast = (deviceId: string) => {
    const now = Date.now();
    const recent = (connectTimes.get(deviceId) ?? []).filter((t) => now - t < 60_000);
    recent.push(now);
    if (recent.length > o.connectsPerMinute + 1) recent.shift(); // a looping device costs no more memory
    connectTimes.set(deviceId, recent);
    return recent.length > o.connectsPerMinute;
  };

  /**
   * Acks are counted once per batch the broker acknowledged, not per message: the batcher resolves a
   * whole send's publishes at once, and this microtask runs after all of them.
   */
  let uncountedAcks = 0;
  const countAcks = () => {
    o.metrics.acked("mqtt", uncountedAcks);
    uncountedAcks = 0;
  };

  const aedes = new DeviceBroker({
    connectTimeout: o.connectTimeoutMs,
    // No subscriber ever exists, so nothing waits on delivery; the default would cap concurrent publishes at 100.
    concurrency: 10_000,
    // Checked from each packet's fixed header, before its body is buffered; MQTT 5 clients also read it in the CONNACK.
    maximumPacketSize: o.maxPayloadBytes + PACKET_OVERHEAD,
    preConnect(_client, packet, done) {
      packet.will = undefined;
      done(null, true);
    },
    authenticate(client, username, password, done) {
      const deviceId = username ?? "";
      const verdict = o.credentials.verify(deviceId, password?.toString("utf8"));
      if (!verdict.ok) {
        const code = connackCode(verdict.reason, client.version);
        return done(
          refuse(verdict.reason, `device ${JSON.stringify(deviceId.slice(0, 128))}: ${verdict.reason}`, code) as never,
          null,
        );
      }
      if (tooFast(deviceId))
        return done(
          refuse("reconnect_rate", `device ${deviceId} reconnects too often`, SERVER_UNAVAILABLE) as never,
          null,
        );
      deviceOf.set(client, deviceId);
      // Client ids are the device's own namespace ('/' never occurs in a device id).
      if (client.id !== deviceId) (client as { id: string }).id = `${deviceId}/${client.id}`;
      o.metrics.connected("mqtt");
      done(null, true);
    },
    authorizePublish(client, packet, done) {
      const deviceId = client && deviceOf.get(client);
      if (!deviceId) return done(new Refusal("foreign_topic", "publish without an authenticated device"));
      const topic = authorizeTopic(deviceId, packet.topic);
      if (!topic.ok)
        return done(refuse(topic.reason, `device ${deviceId} may not publish to ${packet.topic.slice(0, 200)}`));
      if (packet.payload.length > o.maxPayloadBytes)
        return done(refuse("oversize", `payload of ${packet.payload.length} bytes exceeds ${o.maxPayloadBytes}`));
      const result = mqttRecord(deviceId, packet.payload as Uint8Array, "mqtt");
      if (!result.ok) return done(refuse(result.reason, result.message));
      packet.retain = false; // nothing is retained for subscribers that cannot exist
      o.batcher.submit([result.record]).then(() => {
        if (uncountedAcks++ === 0) queueMicrotask(countAcks);
        done(null);
      });
    },
    authorizeSubscribe(_client, _sub, done) {
      o.metrics.refused("mqtt", "subscribe");
      done(null, null);
    },
  });

  const countError = (_client: Client, e: Error) => {
    if (e instanceof Refusal) return;
    const reason = classify(e);
    if (reason) o.metrics.refused("mqtt", reason);
    else o.log.debug("mqtt connection error", { error: errorMessage(e) });
  };
  aedes.on("clientReady", (client) => {
    const deviceId = deviceOf.get(client);
    if (deviceId) connectionsOf.set(deviceId, (connectionsOf.get(deviceId) ?? new Set<Client>()).add(client));
  });
  aedes.on("clientDisconnect", (client) => {
    const deviceId = deviceOf.get(client);
    const open = deviceId ? connectionsOf.get(deviceId) : undefined;
    if (!open) return;
    open.delete(client);
    if (open.size === 0) connectionsOf.delete(deviceId!);
  });
  aedes.on("clientError", countError);
  aedes.on("connectionError", countError);

  let server: Server | undefined;
  let wsServer: WebSocketServer | undefined;
  const sockets = new Set<Socket>();

  function accept(socket: Socket) {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    markMalformed(aedes.handle(socket));
  }

  /** The same broker behind WebSocket: each connection becomes a stream aedes reads like a socket. */
  async function listenWebSocket(port: number) {
    const wss = new WebSocketServer({
      port,
      host: o.bindHost,
      maxPayload: o.maxPayloadBytes + PACKET_OVERHEAD,
      handleProtocols: (protocols) => (protocols.has("mqtt") ? "mqtt" : false),
    });
    await new Promise<void>((resolve, reject) => wss.once("listening", resolve).once("error", reject));
    wss.on("connection", (ws) => {
      markMalformed(aedes.handle(createWebSocketStream(ws)));
    });
    wsServer = wss;
  }

  return {
    aedes,
    connected: () => aedes.connectedClients,
    async start() {
      await aedes.listen();
      const s = createServer(accept);
      await new Promise<void>((resolve, reject) => {
        s.once("error", reject);
        s.listen(o.port, o.bindHost, () => resolve());
      });
      server = s;
      if (o.wsPort >= 0) await listenWebSocket(o.wsPort);
      o.log.info("mqtt listening", { port: this.port(), ...(wsServer && { websocket_port: this.wsPort() }) });
    },
    port: () => (server?.address() as { port: number } | null)?.port ?? 0,
    /** The WebSocket port, or undefined when it is off. */
    wsPort: () => (wsServer ? (wsServer.address() as { port: number }).port : undefined),
    /** Stops accepting connections; the connections themselves are closed by `close`. */
    stopAccepting() {
      server?.close();
      wsServer?.close();
    },
    async close() {
      server?.close();
      wsServer?.close();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      for (const s of sockets) s.destroy();
    },
  };
}
