/**
 * One application's webhook delivery: its own consumer group on the enriched topic, so its progress
 * is its own (committed only after its endpoint acknowledged: at-least-once per application), a
 * dead endpoint lags only this group, and what it holds is bounded by the bus's fetch caps.
 *
 * A batch is retried with backoff and jitter (Retry-After honoured) until the give-up window ends;
 * then it is parked on the delivery DLQ and the application marked failing: from then on each batch
 * gets one attempt (parked if it fails) until one succeeds or an operator resumes it. A final
 * answer (a 4xx other than 408/429, a redirect, a refused address) parks the batch at once.
 */
import type { Batch, EventBus, IncomingRecord, Subscription } from "@iot/common/bus";
import type { Logger } from "@iot/common/logger";
import { DLQ_HEADER } from "@iot/common/wire";
import { backoffMs } from "./backoff";
import type { ChannelStatus, DeliveryStatus } from "./delivery-status";
import { type Decoder, type Delivery, select, webhookBody } from "./records";
import { signedHeaders } from "./signature";
import type { Target } from "./targets";
import type { Send } from "./webhook-sender";

export const DELIVERY_APP_HEADER = "delivery-app-id";
/** The broker drops a member that has not heartbeated for 10 s: waits are cut into slices shorter than that. */
const HEARTBEAT_MS = 3_000;

export interface WebhookChannelDeps {
  bus: EventBus;
  send: Send;
  /** Shared by every channel: each record is decoded once. */
  decoder: Decoder;
  status: DeliveryStatus;
  log: Logger;
  /** The application as the registry says now (its URL, secret and device types may change while running). */
  target: () => Target | undefined;
  topics: { enriched: string; deliveryDlq: string };
  groupId: string;
  batchSize: number;
  lingerMs: number;
  /** What one fetch of its group may bring (compressed bytes). */
  fetchBytes: number;
  giveUpMs: number;
  maxBackoffMs: number;
}

class Stopped extends Error {
  override name = "Stopped";
}

export function createWebhookChannel(appId: string, deps: WebhookChannelDeps) {
  const { log } = deps;
  const stopping = new AbortController();
  let subscription: Subscription | undefined;
  const status: ChannelStatus = deps.status.open(appId, deps.target()?.name ?? appId, "webhook");

  const park = async (items: Delivery[], reason: string, error: string) => {
    const time = new Date().toISOString();
    await deps.bus.publish(
      deps.topics.deliveryDlq,
      items.map(({ record }) => ({
        key: appId,
        value: record.value,
        headers: dlqHeaders(record, appId, reason, error, time),
      })),
    );
    status.parked += items.length;
    log.warn("webhook batch parked", { app: appId, records: items.length, reason, error });
  };

  const failed = (error: string) => {
    status.retrying++;
    status.lastError = error;
    status.lastErrorAt = new Date();
  };

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopping.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopping.signal.addEventListener("abort", done);
    });

  /** Waits `ms`, heartbeating; throws Stopped when the channel stops meanwhile. */
  const wait = async (ms: number, batch: Batch) => {
    for (let left = ms; left > 0; left -= HEARTBEAT_MS) {
      await pause(Math.min(left, HEARTBEAT_MS));
      if (stopping.signal.aborted) throw new Stopped();
      await batch.heartbeat?.();
    }
  };

  const deliver = async (items: Delivery[], batch: Batch) => {
    const body = webhookBody(items);
    // Stable across retries of this batch; each item also carries its own message id for de-duplication.
    const webhookId = items.length === 1 ? items[0]!.id : `${items[0]!.id}+${items.length}`;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      if (stopping.signal.aborted) throw new Stopped();
      const target = deps.target();
      if (!target?.webhookUrl || !target.webhookSecret) throw new Stopped(); // the channel is being stopped
      const t0 = performance.now();
      let outcome: Awaited<ReturnType<Send>>;
      try {
        outcome = await deps.send(
          target.webhookUrl,
          body,
          signedHeaders(target.webhookSecret, webhookId, body, Date.now()),
          stopping.signal,
        );
      } catch (e) {
        if (stopping.signal.aborted) throw new Stopped();
        throw e;
      }
      deps.status.observeLatency((performance.now() - t0) / 1000);
      if (outcome.kind === "delivered") {
        status.delivered += items.length;
        status.lastDeliveredAt = new Date();
        status.retrying = 0;
        if (status.failing) log.info("webhook delivering again", { app: appId });
        status.failing = false;
        return;
      }
      failed(outcome.error);
      if (outcome.kind === "final") return park(items, "rejected", outcome.error);
      if (status.failing) return park(items, "app_failing", outcome.error);
      const elapsed = Date.now() - started;
      if (elapsed >= deps.giveUpMs) {
        await park(items, "gave_up", `${outcome.error} (retried for ${Math.round(elapsed / 1000)} s)`);
        status.failing = true;
        log.warn("application marked failing", { app: appId, error: outcome.error });
        return;
      }
      const delay = Math.min(
        outcome.retryAfterMs ?? backoffMs(attempt, deps.maxBackoffMs),
        Math.max(0, deps.giveUpMs - elapsed),
      );
      log.debug("webhook retry", { app: appId, attempt, delay_ms: delay, error: outcome.error });
      await wait(delay, batch);
    }
  };

  const handler = async (batch: Batch) => {
    const target = deps.target();
    if (!target) throw new Stopped();
    const items = select(
      batch.records,
      { deviceTypes: target.deviceTypes, eventTypes: target.webhookEventTypes },
      deps.decoder,
      () => status.skipped++,
    );
    for (let i = 0; i < items.length; i += deps.batchSize) await deliver(items.slice(i, i + deps.batchSize), batch);
  };

  return {
    status,
    groupId: deps.groupId,
    /** True once its group has joined (what arrives from then on is delivered). */
    get started() {
      return subscription !== undefined;
    },
    async start() {
      // A new application's group starts at the end of the topic as it is now: it receives everything from now on.
      // A group with committed progress (a restart) resumes from it.
      const ends = (await deps.bus.stats([deps.topics.enriched], [])).topics[0]?.ends ?? [];
      const startAt = Object.fromEntries(ends.map((offset, partition) => [partition, offset]));
      subscription = await deps.bus.subscribe({
        groupId: deps.groupId,
        topics: [deps.topics.enriched],
        startAt,
        handler,
        maxWaitMs: deps.lingerMs,
        maxFetchBytes: deps.fetchBytes,
      });
    },
    /** Ends a retry in progress at once (that batch stays uncommitted: it is delivered after a restart). */
    async stop() {
      stopping.abort();
      await subscription?.stop();
      subscription = undefined;
      deps.status.close(appId, "webhook");
    },
  };
}

function dlqHeaders(r: IncomingRecord, appId: string, reason: string, error: string, time: string) {
  return {
    ...r.headers,
    [DELIVERY_APP_HEADER]: appId,
    [DLQ_HEADER.reason]: reason,
    [DLQ_HEADER.error]: error.slice(0, 500),
    [DLQ_HEADER.topic]: r.topic,
    [DLQ_HEADER.partition]: String(r.partition),
    [DLQ_HEADER.offset]: r.offset,
    [DLQ_HEADER.time]: time,
  };
}
