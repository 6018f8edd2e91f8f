/** Everything the dashboard holds in memory, each part bounded by the configured limits. */
import type { DashboardConfig } from "../config";
import { createDeadLetterStore, type DeadLetterStore } from "./dead-letters";
import { createDeviceStore, type DeviceStore } from "./devices";
import { createFeedStore, type FeedStore } from "./feed";
import { createPipelineStore, type PipelineStore } from "./pipeline";
import { createServiceStore, type ServiceStore } from "./services";

export interface DashboardState {
  feed: FeedStore;
  devices: DeviceStore;
  deadLetters: DeadLetterStore;
  pipeline: PipelineStore;
  services: ServiceStore;
}

export function createDashboardState(config: DashboardConfig): DashboardState {
  const { limits } = config;
  return {
    feed: createFeedStore(limits.feed),
    devices: createDeviceStore({ maxDevices: limits.devices, seriesPoints: limits.seriesPoints }),
    deadLetters: createDeadLetterStore(limits.deadLetters),
    pipeline: createPipelineStore({
      topics: config.bus.topics,
      enrichmentGroupId: config.enrichmentGroupId,
      history: limits.rateHistory,
    }),
    services: createServiceStore(),
  };
}
