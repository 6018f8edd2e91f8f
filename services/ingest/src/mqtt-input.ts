/**
 * What arrives on an MQTT connection before our hooks see it: the errors aedes and mqtt-packet
 * raise themselves (malformed and oversized packets, wildcard topics, silence), named as refusal
 * reasons for counting.
 */
import type { Client } from "aedes";
import type { RefusalReason } from "./ingest-metrics";

/** The mqtt-packet parser's own errors (malformed packets) and aedes's few refusals of its own. */
export function classify(e: Error): RefusalReason | undefined {
  if ((e as { malformed?: boolean }).malformed) return "malformed_packet";
  // aedes's `maximumPacketSize`, refused from the packet's fixed header, before its body is read.
  if ((e as { maximumPacketSize?: number }).maximumPacketSize !== undefined) return "oversize";
  if (e.message === "connect did not arrive in time") return "connect_timeout";
  if (/is not allowed in PUBLISH/.test(e.message)) return "system_topic";
  if (/topic/.test(e.message)) return "foreign_topic";
  return undefined;
}

interface PacketParser {
  prependListener(event: "error", fn: (e: Error) => void): void;
}

/**
 * Marks the mqtt-packet parser's errors as malformed input for counting: aedes reports them like
 * any other connection error. This reaches into aedes's client (`_parser`, an mqtt-packet 9
 * parser): the versions are pinned by the lockfile, and test/bad-input.test.ts fails if they change shape.
 */
export function markMalformed(client: Client) {
  const parser = (client as unknown as { _parser: PacketParser })._parser;
  parser.prependListener("error", (e: Error) => void Object.assign(e, { malformed: true }));
}
