/** A TCP connection that writes whatever bytes a test wants: malformed packets, wildcard topics, nothing at all. */
import { connect, type Socket } from "node:net";
import mqttPacket, { type Packet } from "mqtt-packet";

export interface RawConnection {
  socket: Socket;
  /** Every byte the server sent. */
  received: () => Buffer;
  /** Resolves when the server closed the connection. */
  closed: Promise<void>;
  send(bytes: Uint8Array | Packet): void;
}

export async function rawConnection(port: number): Promise<RawConnection> {
  const socket = connect(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => undefined); // a reset by the server is what some tests wait for
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closed,
    send: (p) => void socket.write(p instanceof Uint8Array ? p : mqttPacket.generate(p)),
  };
}

/** The packets in `bytes`, as an MQTT client of `protocolVersion` reads them. */
export function parsePackets(bytes: Buffer, protocolVersion: 4 | 5): Packet[] {
  const parser = mqttPacket.parser({ protocolVersion });
  const packets: Packet[] = [];
  parser.on("packet", (p) => packets.push(p));
  parser.parse(bytes);
  return packets;
}

export const connectPacket = (username: string, password: string, protocolVersion: 4 | 5 = 4): Packet => ({
  cmd: "connect",
  protocolId: "MQTT",
  protocolVersion,
  clean: true,
  clientId: `raw-${Math.random().toString(36).slice(2, 8)}`,
  keepalive: 30,
  username,
  password: Buffer.from(password),
});

export const publishPacket = (topic: string, payload: string | Buffer, qos: 0 | 1 = 1): Packet => ({
  cmd: "publish",
  topic,
  payload,
  qos,
  messageId: qos > 0 ? 1 : undefined,
  retain: false,
  dup: false,
});
