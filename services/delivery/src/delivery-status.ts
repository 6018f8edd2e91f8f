/**
 * Per-application delivery state: what the status API, the dashboard and /metrics show. One entry
 * per application and channel that is running now; an entry goes when its channel stops, so the
 * metrics' label set is bounded by the registered applications.
 */
import type { Metrics } from "@iot/common/metrics";

export type Channel = "webhook" | "stream";

export interface ChannelStatus {
  appId: string;
  appName: string;
  channel: Channel;
  delivered: number;
  /** Failed attempts since the last success (0: not retrying). */
  retrying: number;
  parked: number;
  /** Records that could not be decoded (skipped, counted). */
  skipped: number;
  /** Gave up on a batch: further batches get one attempt each until a success or an operator's resume. */
  failing: boolean;
  lastError: string | null;
  lastErrorAt: Date | null;
  lastDeliveredAt: Date | null;
  /** Records on the topic this channel has not committed yet (refreshed every few seconds). */
  lag: number;
  /** Open stream connections (stream channel). */
  connections: number;
}

export function createDeliveryStatus(metrics: Metrics) {
  const entries = new Map<string, ChannelStatus>();
  const key = (appId: string, channel: Channel) => `${appId}/${channel}`;
  const each = (value: (s: ChannelStatus) => number) => () =>
    [...entries.values()].map(
      (s) => [{ app: s.appId, channel: s.channel }, value(s)] as [Record<string, string>, number],
    );
  const labelNames = ["app", "channel"];
  metrics.gauge("delivery_records_delivered", "Records delivered since start, per application and channel.", {
    collect: each((s) => s.delivered),
    labelNames,
  });
  metrics.gauge("delivery_records_parked", "Records parked on the delivery DLQ since start.", {
    collect: each((s) => s.parked),
    labelNames,
  });
  metrics.gauge("delivery_retrying", "Failed attempts in a row (0: healthy).", {
    collect: each((s) => s.retrying),
    labelNames,
  });
  metrics.gauge("delivery_failing", "1 while the application is marked failing.", {
    collect: each((s) => (s.failing ? 1 : 0)),
    labelNames,
  });
  metrics.gauge("delivery_lag_records", "Records not yet delivered (committed).", {
    collect: each((s) => s.lag),
    labelNames,
  });
  const latency = metrics.histogram(
    "delivery_webhook_seconds",
    "Webhook POST duration (all applications).",
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );

  return {
    open(appId: string, appName: string, channel: Channel): ChannelStatus {
      const k = key(appId, channel);
      const existing = entries.get(k);
      if (existing) return existing;
      const s: ChannelStatus = {
        appId,
        appName,
        channel,
        delivered: 0,
        retrying: 0,
        parked: 0,
        skipped: 0,
        failing: false,
        lastError: null,
        lastErrorAt: null,
        lastDeliveredAt: null,
        lag: 0,
        connections: 0,
      };
      entries.set(k, s);
      return s;
    },
    close: (appId: string, channel: Channel) => void entries.delete(key(appId, channel)),
    get: (appId: string, channel: Channel) => entries.get(key(appId, channel)),
    list: () => [...entries.values()],
    observeLatency: (seconds: number) => latency.observe(seconds),
  };
}

export type DeliveryStatus = ReturnType<typeof createDeliveryStatus>;

export const statusJson = (s: ChannelStatus) => ({
  app_id: s.appId,
  app_name: s.appName,
  channel: s.channel,
  state: s.failing ? "failing" : s.retrying > 0 ? "retrying" : "ok",
  delivered: s.delivered,
  retrying: s.retrying,
  parked: s.parked,
  skipped: s.skipped,
  last_error: s.lastError,
  last_error_at: s.lastErrorAt?.toISOString() ?? null,
  last_delivered_at: s.lastDeliveredAt?.toISOString() ?? null,
  lag: s.lag,
  connections: s.connections,
});

/** One application's channel as the status API answers it (what the dashboard reads). */
export type DeliveryStatusJson = ReturnType<typeof statusJson>;
