/** Device events and enriched events <-> their protobuf messages (same data, typed). */
import { create, fromBinary } from "@bufbuild/protobuf";
import {
  type DeviceEvent as DeviceEventMsg,
  DeviceEventSchema,
  TrendPointSchema,
  TrendsSchema,
  TelemetrySchema,
} from "@gen/iot/telemetry/v1/events_pb";
import { type EnrichedEvent as EnrichedEventMsg, EnrichedEventSchema } from "@gen/iot/telemetry/v1/enriched_pb";
import type {
  ApplicationRegistryBlock,
  DataQuality,
  DeviceEvent,
  DeviceMetadata,
  EnrichedEvent,
  Enrichment,
  EnrichmentInfo,
} from "../telemetry";
import { DecodeError, parseProto } from "./decode-error";
import { measurementsFromProto, measurementsToProto } from "./measurements-proto";
import { checkEpochSeconds, fromProtoTime, toProtoTime } from "./timestamp";

export function deviceEventToProto(e: DeviceEvent): DeviceEventMsg {
  const head = { deviceId: e.device_id, deviceType: e.device_type, timestamp: toProtoTime(e.timestamp) };
  if (e.event_type === "trends") {
    const trends = e.trends.map((p) =>
      create(TrendPointSchema, {
        metric: p.c,
        last: p.v,
        avg: p.avg,
        min: p.min,
        max: p.max,
        windowStart: BigInt(p.t),
      }),
    );
    return create(DeviceEventSchema, { event: { case: "trends", value: create(TrendsSchema, { ...head, trends }) } });
  }
  const measurements = measurementsToProto(e.device_type, e.measurements);
  return create(DeviceEventSchema, { event: { case: "telemetry", value: { ...head, measurements } } });
}

/** The general path (device-event-reader.ts is the fast one and falls back to this). */
export const deviceEventFromBinary = (value: Uint8Array): DeviceEvent =>
  deviceEventFromProto(parseProto(() => fromBinary(DeviceEventSchema, value)));

export function deviceEventFromProto(m: DeviceEventMsg | undefined): DeviceEvent {
  const ev = m?.event;
  if (!ev?.case) throw new DecodeError("unknown_schema", "DeviceEvent: no telemetry or trends set");
  const v = ev.value;
  if (!v.deviceId) throw new DecodeError("missing_device_id", "device_id: missing");
  const head = { device_id: v.deviceId, device_type: v.deviceType, timestamp: fromProtoTime(v.timestamp, "timestamp") };
  if (ev.case === "trends") {
    const trends = ev.value.trends.map((p, i) => ({
      c: p.metric,
      v: p.last,
      avg: p.avg,
      min: p.min,
      max: p.max,
      t: checkEpochSeconds(Number(p.windowStart), `trends[${i}].t`),
    }));
    return { ...head, event_type: "trends", trends };
  }
  return { ...head, event_type: "telemetry", measurements: measurementsFromProto(ev.value.measurements) };
}

export function enrichedEventToProto(e: EnrichedEvent): EnrichedEventMsg {
  return create(EnrichedEventSchema, {
    event: deviceEventToProto(e),
    deviceMetadata: deviceMetadataToProto(e.device_metadata),
    applicationRegistry: applicationRegistryToProto(e.application_registry),
    enrichmentInfo: enrichmentInfoToProto(e.enrichment_info),
    dataQuality: dataQualityToProto(e.data_quality),
  });
}

/** Each enrichment block as its EnrichedEvent field (enriched-encoder.ts encodes them one at a time). */
export const deviceMetadataToProto = (md: DeviceMetadata) => ({
  deviceType: md.device_type,
  deviceTypeName: md.device_type_name,
  deviceTypeDescription: md.device_type_description,
  deviceCategory: md.device_category,
  capabilities: md.capabilities,
  dataFormat: md.data_format,
  updateFrequency: md.update_frequency,
  retentionPolicy: md.retention_policy,
});

export const applicationRegistryToProto = (ar: ApplicationRegistryBlock) => ({
  deviceType: ar.device_type,
  registeredApplicationsCount: ar.registered_applications_count,
  applications: ar.applications,
});

export const enrichmentInfoToProto = (ei: EnrichmentInfo) => ({
  enrichedAt: toProtoTime(ei.enriched_at),
  enrichmentService: ei.enrichment_service,
  enrichmentVersion: ei.enrichment_version,
  deviceTypeDetected: ei.device_type_detected,
  appRegistryIntegration: ei.app_registry_integration,
});

export const dataQualityToProto = (dq: DataQuality) => ({
  outOfRange: dq.out_of_range,
  missingGroups: dq.missing_groups,
});

export function enrichedEventFromProto(m: EnrichedEventMsg): EnrichedEvent {
  const { deviceMetadata: md, applicationRegistry: ar, enrichmentInfo: ei, dataQuality: dq } = m;
  if (!md || !ar || !ei || !dq)
    throw new DecodeError("unknown_schema", "EnrichedEvent: an enrichment block is missing");
  const enrichment: Enrichment = {
    device_metadata: {
      device_type: md.deviceType,
      device_type_name: md.deviceTypeName,
      device_type_description: md.deviceTypeDescription,
      device_category: md.deviceCategory,
      capabilities: md.capabilities,
      data_format: md.dataFormat,
      update_frequency: md.updateFrequency,
      retention_policy: md.retentionPolicy,
    },
    application_registry: {
      device_type: ar.deviceType,
      registered_applications_count: ar.registeredApplicationsCount,
      applications: ar.applications.map(({ id, name, developer, platform, category, status }) => ({
        id,
        name,
        developer,
        platform,
        category,
        status,
      })),
    },
    enrichment_info: {
      enriched_at: fromProtoTime(ei.enrichedAt, "enrichment_info.enriched_at"),
      enrichment_service: ei.enrichmentService,
      enrichment_version: ei.enrichmentVersion,
      device_type_detected: ei.deviceTypeDetected,
      app_registry_integration: ei.appRegistryIntegration,
    },
    data_quality: {
      out_of_range: dq.outOfRange.map(({ field, value, min, max }) => ({
        field,
        value,
        ...(min !== undefined && { min }),
        ...(max !== undefined && { max }),
      })),
      missing_groups: dq.missingGroups,
    },
  };
  return { ...deviceEventFromProto(m.event), ...enrichment };
}
