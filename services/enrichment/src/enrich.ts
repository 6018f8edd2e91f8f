/** The enrichment rule: the event plus its device type's metadata, registrations, and data quality. */
import type { ApplicationSummary, DeviceEvent, EnrichedEvent, Enrichment } from "@iot/common/telemetry";
import { assessQuality } from "./data-quality";
import { detectDeviceType } from "./detect-device-type";
import { type Profiles, unregisteredProfile } from "./device-profile";

export interface EnrichContext {
  profiles: Profiles;
  registrations: (deviceType: string) => { applications: ApplicationSummary[]; current: boolean };
  service: string;
  version: string;
  enrichedAt: string;
}

export function enrich(e: DeviceEvent, ctx: EnrichContext): EnrichedEvent {
  return { ...e, ...enrichmentOf(e, ctx) };
}

/** The blocks enrichment adds to an event (the pipeline encodes them next to the event, see enriched-encoder.ts). */
export function enrichmentOf(e: DeviceEvent, ctx: EnrichContext): Enrichment {
  const deviceType = detectDeviceType(e, ctx.profiles);
  const profile = ctx.profiles.get(deviceType) ?? unregisteredProfile(deviceType);
  const { applications, current } = ctx.registrations(deviceType);
  return {
    device_metadata: profile.metadata,
    application_registry: { device_type: deviceType, registered_applications_count: applications.length, applications },
    enrichment_info: {
      enriched_at: ctx.enrichedAt,
      enrichment_service: ctx.service,
      enrichment_version: ctx.version,
      device_type_detected: deviceType,
      app_registry_integration: current,
    },
    data_quality: assessQuality(e, profile),
  };
}
