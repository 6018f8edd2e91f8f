/**
 * Enriched events encoded by splicing. Of an enriched record's five parts, the device metadata is
 * the same for every record of a device type until the device registry changes, the registrations
 * block the same until a registration changes, and the enrichment info the same for a type within a
 * batch: each is encoded once, and a record's bytes are its event's encoding followed by those
 * fragments. The result is byte for byte what `encodeEnrichedEvent` gives (enriched-encoder.test.ts):
 * JSON.stringify writes an object's keys in order, and protobuf-es writes the fields of
 * EnrichedEvent in field order, each one a self-contained tag + length + body.
 *
 * Fragments are keyed by the identity of the objects they encode (a new device registry or a new
 * registrations list brings new objects, so nothing needs invalidating); the maps keyed by device
 * type name are bounded, since devices name their own types.
 */
import { create, toBinary } from "@bufbuild/protobuf";
import { EnrichedEventSchema } from "@gen/iot/telemetry/v1/enriched_pb";
import { DeviceEventSchema } from "@gen/iot/telemetry/v1/events_pb";
import type {
  ApplicationRegistryBlock,
  DataQuality,
  DeviceEvent,
  DeviceMetadata,
  EnrichmentInfo,
  Enrichment,
} from "../telemetry";
import { CONTENT_TYPE, HEADER, MESSAGE_TYPE } from "../wire";
import {
  applicationRegistryToProto,
  dataQualityToProto,
  deviceEventToProto,
  deviceMetadataToProto,
  enrichmentInfoToProto,
} from "./proto";

type Format = "json" | "protobuf";
const MAX_NAMED = 1_024;

interface Parts<F, E = F> {
  /** `rawProto`: the DeviceEvent bytes the event was decoded from, when it came as protobuf. */
  event(e: DeviceEvent, rawProto?: Uint8Array): E;
  metadata(md: DeviceMetadata): F;
  registry(ar: ApplicationRegistryBlock): F;
  info(ei: EnrichmentInfo): F;
  quality(dq: DataQuality): F;
  /** The record's bytes, in one Buffer (what the Kafka client takes without wrapping it). */
  join(event: E, md: F, ar: F, ei: F, dq: F): Uint8Array;
}

const utf8 = new TextEncoder();
const jsonBytes = (text: string) => utf8.encode(text);
/**
 * JSON: the event's text is written straight into the record's buffer and the blocks' UTF-8 bytes
 * copied after it (joining texts and encoding the whole measured slower than one JSON.stringify).
 */
const jsonParts: Parts<Uint8Array, string> = {
  event: (e) => JSON.stringify(e),
  metadata: (md) => jsonBytes(`,"device_metadata":${JSON.stringify(md)}`),
  registry: (ar) => jsonBytes(`,"application_registry":${JSON.stringify(ar)}`),
  info: (ei) => jsonBytes(`,"enrichment_info":${JSON.stringify(ei)}`),
  quality: (dq) => jsonBytes(`,"data_quality":${JSON.stringify(dq)}}`),
  join: (text, ...blocks) => {
    const head = Buffer.byteLength(text) - 1; // its closing brace comes after the blocks
    const out = Buffer.allocUnsafe(head + totalBytes(blocks));
    out.write(text, 0);
    copyAfter(out, head, blocks);
    return out;
  },
};

const field = (init: Parameters<typeof create<typeof EnrichedEventSchema>>[1]) =>
  toBinary(EnrichedEventSchema, create(EnrichedEventSchema, init));
const protoParts: Parts<Uint8Array> = {
  // The event field's body. A protobuf input's own bytes are it: its measurements are neither mapped
  // nor re-encoded. They decode to the same event (it was decoded from them); they are the same bytes
  // whenever the device encoded as this codec does, and otherwise carry what it sent, unknown fields too.
  event: (e, rawProto) => rawProto ?? toBinary(DeviceEventSchema, deviceEventToProto(e)),
  metadata: (md) => field({ deviceMetadata: deviceMetadataToProto(md) }),
  registry: (ar) => field({ applicationRegistry: applicationRegistryToProto(ar) }),
  info: (ei) => field({ enrichmentInfo: enrichmentInfoToProto(ei) }),
  quality: (dq) => field({ dataQuality: dataQualityToProto(dq) }),
  // EnrichedEvent.event as protobuf-es writes a message field: tag, body length (varint), body.
  join: (body, ...blocks) => {
    let head = 2;
    for (let n = body.byteLength; n >= 0x80; n >>>= 7) head++;
    const out = Buffer.allocUnsafe(head + body.byteLength + totalBytes(blocks));
    out[0] = EVENT_TAG;
    let at = 1;
    for (let n = body.byteLength; ; n >>>= 7) {
      if (n < 0x80) {
        out[at++] = n;
        break;
      }
      out[at++] = (n & 0x7f) | 0x80;
    }
    out.set(body, at);
    copyAfter(out, at + body.byteLength, blocks);
    return out;
  },
};

/** EnrichedEvent.event: field 1, wire type 2 (length-delimited). */
const EVENT_TAG = (1 << 3) | 2;

function totalBytes(blocks: Uint8Array[]): number {
  let n = 0;
  for (const b of blocks) n += b.byteLength;
  return n;
}

function copyAfter(out: Uint8Array, at: number, blocks: Uint8Array[]) {
  for (const b of blocks) {
    out.set(b, at);
    at += b.byteLength;
  }
}

// A fresh object per record: the pipeline adds the record's own headers to it.
const HEADERS = {
  json: () => ({ [HEADER.contentType]: CONTENT_TYPE.json }),
  protobuf: () => ({ [HEADER.contentType]: CONTENT_TYPE.protobuf, [HEADER.messageType]: MESSAGE_TYPE.enriched }),
};

export type EnrichedEncoder = (
  event: DeviceEvent,
  enrichment: Enrichment,
  rawProto?: Uint8Array,
) => { value: Uint8Array; headers: Record<string, string> };

export function createEnrichedEncoder(format: Format): EnrichedEncoder {
  return format === "json" ? splicing(jsonParts, format) : splicing(protoParts, format);
}

function splicing<F, E>(parts: Parts<F, E>, format: Format): EnrichedEncoder {
  const headers = HEADERS[format];
  const metadata = new WeakMap<DeviceMetadata, F>();
  const registries = new WeakMap<ApplicationRegistryBlock["applications"], Map<string, F>>();
  // By app_registry_integration, then device type.
  let infos = [new Map<string, F>(), new Map<string, F>()] as const;
  let infoOf: Omit<EnrichmentInfo, "device_type_detected" | "app_registry_integration"> | undefined;
  const noQuality = parts.quality({ out_of_range: [], missing_groups: [] });

  const metadataOf = (md: DeviceMetadata) => {
    let f = metadata.get(md);
    if (f === undefined) metadata.set(md, (f = parts.metadata(md)));
    return f;
  };
  const registryOf = (ar: ApplicationRegistryBlock) => {
    let byType = registries.get(ar.applications);
    if (!byType || byType.size >= MAX_NAMED) registries.set(ar.applications, (byType = new Map()));
    let f = byType.get(ar.device_type);
    // The count travels with the list it counts; a block whose count disagrees is encoded as it is.
    if (ar.registered_applications_count !== ar.applications.length) return parts.registry(ar);
    if (f === undefined) byType.set(ar.device_type, (f = parts.registry(ar)));
    return f;
  };
  const infoFor = (ei: EnrichmentInfo) => {
    if (
      !infoOf ||
      infoOf.enriched_at !== ei.enriched_at ||
      infoOf.enrichment_service !== ei.enrichment_service ||
      infoOf.enrichment_version !== ei.enrichment_version
    ) {
      infoOf = {
        enriched_at: ei.enriched_at,
        enrichment_service: ei.enrichment_service,
        enrichment_version: ei.enrichment_version,
      };
      infos = [new Map(), new Map()];
    }
    const byType = infos[ei.app_registry_integration ? 1 : 0];
    let f = byType.get(ei.device_type_detected);
    if (f === undefined) {
      f = parts.info(ei);
      if (byType.size < MAX_NAMED) byType.set(ei.device_type_detected, f);
    }
    return f;
  };

  return (event, x, rawProto) => {
    const dq =
      x.data_quality.out_of_range.length === 0 && x.data_quality.missing_groups.length === 0
        ? noQuality
        : parts.quality(x.data_quality);
    const value = parts.join(
      parts.event(event, rawProto),
      metadataOf(x.device_metadata),
      registryOf(x.application_registry),
      infoFor(x.enrichment_info),
      dq,
    );
    return { value, headers: headers() };
  };
}
