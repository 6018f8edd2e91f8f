/**
 * What arrives on an MQTT connection before our hooks see it: packets too large to buffer, and
 * the errors aedes and mqtt-packet raise themselves, named as refusal reasons for counting.
 */
import type { Client } from "aedes";
import type { RefusalReason } from "./ingest-metrics";

/** The mqtt-packet parser's own errors (malformed packets) and aedes's few refusals of its own. */
export function classify(e: Error): RefusalReason | undefined {
  if ((e as { malformed?: boolean }).malformed) return "malformed_packet";
  if ((e as { oversize?: boolean }).oversize) return "oversize";
  if (e.message === "connect did not arrive in time") return "connect_timeout";
  if (/is not allowed in PUBLISH/.test(e.message)) return "system_topic";
  if (/topic/.test(e.message)) return "foreign_topic";
  return undefined;
}

interface PacketParser {
  packet: { length: number };
  _parseLength(): boolean;
  _emitError(e: Error): void;
  prependListener(event: "error", fn: (e: Error) => void): void;
}

/**
 * Refuses a packet as soon as its fixed header announces a length over `max`, before the parser
 * buffers its body (mqtt-packet has no limit of its own), and marks the parser's errors as malformed
 * input for counting. This reaches into mqtt-packet 9's parser: the version is pinned by the lockfile,
 * and test/bad-input.test.ts fails if it changes shape.
 */
export function limitPacketSize(client: Client, max: number) {
  const parser = (client as unknown as { _parser: PacketParser })._parser;
  const parseLength = parser._parseLength.bind(parser);
  parser._parseLength = () => {
    const complete = parseLength();
    if (complete && parser.packet.length > max) {
      parser._emitError(
        Object.assign(new Error(`packet of ${parser.packet.length} bytes exceeds ${max}`), { oversize: true }),
      );
      return false;
    }
    return complete;
  };
  parser.prependListener("error", (e: Error) => {
    if (!(e as { oversize?: boolean }).oversize) Object.assign(e, { malformed: true });
  });
}
