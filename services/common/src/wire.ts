/**
 * The wire contract every producer and consumer shares: record header names, content and message
 * types, topic defaults, and the application enums the registry stores and every reader shows.
 * A name written anywhere else is a second definition that can drift from this one.
 */
import { ApplicationStatus as ProtoStatus, Platform as ProtoPlatform } from "@gen/iot/registry/v1/registry_pb";
import { EnrichedEventSchema } from "@gen/iot/telemetry/v1/enriched_pb";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";

/** Headers on `iot.raw` and `iot.enriched` records. */
export const HEADER = {
  /** Picks the payload format; absent means JSON. */
  contentType: "content-type",
  /** The protobuf message's full name, so a reader can refuse a payload of another type. */
  messageType: "message-type",
  /** `topic/partition/offset` of the input record an enriched record came from: a duplicate's identity. */
  messageId: "message-id",
  /** Broker time (epoch ms) of that input record, for end-to-end latency. */
  sourceTimestamp: "source-timestamp",
  /** On records the ingest gateway wrote: the device id it authenticated (bridge mode: the one in the topic). */
  deviceId: "device-id",
  /** On records the ingest gateway wrote: `mqtt`, `http` or `mqtt-bridge`. */
  transport: "transport",
} as const;

/** Headers a dead letter adds to the original ones: why it was refused, and from where. */
export const DLQ_HEADER = {
  reason: "dlq-reason",
  error: "dlq-error",
  topic: "dlq-source-topic",
  partition: "dlq-source-partition",
  offset: "dlq-source-offset",
  /** When it was refused, RFC 3339. */
  time: "dlq-time",
} as const;

export const CONTENT_TYPE = { json: "application/json", protobuf: "application/x-protobuf" } as const;
export const MESSAGE_TYPE = { device: DeviceEventSchema.typeName, enriched: EnrichedEventSchema.typeName } as const;

/** Default topic names (each is config: `TOPIC_*` overrides it). */
export const TOPIC_DEFAULTS = {
  raw: "iot.raw",
  enriched: "iot.enriched",
  dlq: "iot.dlq",
  alarms: "iot.alarms",
  deliveryDlq: "iot.delivery.dlq",
} as const;

export const PLATFORMS = ["web", "mobile", "desktop", "api"] as const;
export const STATUSES = ["active", "inactive", "pending"] as const;
export type Platform = (typeof PLATFORMS)[number];
export type Status = (typeof STATUSES)[number];

/** The same enums as the registry's protobuf numbers (UNSPECIFIED, 0, is "not given" and has no name). */
export const PROTO_PLATFORM: Record<Platform, ProtoPlatform> = {
  web: ProtoPlatform.WEB,
  mobile: ProtoPlatform.MOBILE,
  desktop: ProtoPlatform.DESKTOP,
  api: ProtoPlatform.API,
};
export const PROTO_STATUS: Record<Status, ProtoStatus> = {
  active: ProtoStatus.ACTIVE,
  inactive: ProtoStatus.INACTIVE,
  pending: ProtoStatus.PENDING,
};

/** The name of a protobuf enum number, or undefined for UNSPECIFIED and numbers this build does not know. */
export const nameOfProto = <T extends string>(table: Record<T, number>, value: number): T | undefined =>
  (Object.keys(table) as T[]).find((k) => table[k] === value);
