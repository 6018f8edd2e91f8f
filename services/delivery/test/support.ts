/** Set-up shared by delivery's integration tests: topics, a registry, a signature-checking receiver, records. */
import type { EventBus } from "@iot/common/bus";
import { createKafkaBus } from "@iot/common/bus/kafka-bus";
import { encodeEnrichedEvent, formatTimestamp, timestampNow } from "@iot/common/codec";
import type { EnrichedEvent } from "@iot/common/telemetry";
import { kafkaBrokers, quietLogger, uniqueName } from "@iot/common/testing";
import { HEADER } from "@iot/common/wire";
import { verify } from "../src/signature";

export const root = new URL("../../../", import.meta.url).pathname;

export function testTopics() {
  const id = uniqueName("dlv");
  return {
    raw: `${id}.raw`,
    enriched: `${id}.enriched`,
    dlq: `${id}.dlq`,
    deliveryDlq: `${id}.delivery-dlq`,
    prefix: `${id}-g`,
  };
}
export type TestTopics = ReturnType<typeof testTopics>;

/** What a delivery process reads, for these topics and this registry. */
export function deliveryEnv(
  t: TestTopics,
  registry: { httpUrl: string; rpcUrl: string },
  extra: Record<string, string> = {},
) {
  return {
    KAFKA_BROKERS: kafkaBrokers().join(","),
    KAFKA_PARTITIONS: "3",
    TOPIC_RAW: t.raw,
    TOPIC_ENRICHED: t.enriched,
    TOPIC_DLQ: t.dlq,
    TOPIC_DELIVERY_DLQ: t.deliveryDlq,
    DELIVERY_GROUP_PREFIX: t.prefix,
    REGISTRY_URL: registry.httpUrl,
    REGISTRY_RPC_URL: registry.rpcUrl,
    DELIVERY_PORT: "0",
    DELIVERY_ALLOWED_HOSTS: "127.0.0.1",
    DELIVERY_LINGER_MS: "20",
    LOG_LEVEL: "warn",
    ...extra,
  };
}

export async function testBus(t: TestTopics): Promise<EventBus> {
  const bus = createKafkaBus({
    brokers: kafkaBrokers(),
    clientId: "delivery-test",
    topics: [t.raw, t.enriched, t.dlq, t.deliveryDlq].map((name) => ({ name, partitions: 3 })),
    log: quietLogger(),
  });
  await bus.start();
  return bus;
}

/** An enriched record as enrichment publishes it; `n` makes each one distinct. */
export function enriched(
  deviceType: string,
  deviceId: string,
  n: number,
  eventType: "telemetry" | "trends" = "telemetry",
): EnrichedEvent {
  return {
    device_id: deviceId,
    device_type: deviceType,
    timestamp: formatTimestamp(1_767_225_600 + n),
    ...(eventType === "telemetry"
      ? { event_type: "telemetry", measurements: { seq: { n } } }
      : { event_type: "trends", trends: [{ c: "seq_n", v: n, avg: n, min: n, max: n, t: 1_767_225_600 }] }),
    device_metadata: {
      device_type: deviceType,
      device_type_name: deviceType,
      device_type_description: "",
      device_category: "test",
      capabilities: [],
      data_format: "json",
      update_frequency: "1s",
      retention_policy: "1d",
    },
    application_registry: { device_type: deviceType, registered_applications_count: 0, applications: [] },
    enrichment_info: {
      enriched_at: timestampNow(),
      enrichment_service: "test",
      enrichment_version: "0",
      device_type_detected: deviceType,
      app_registry_integration: true,
    },
    data_quality: { out_of_range: [], missing_groups: [] },
  } as EnrichedEvent;
}

/** Publishes records with message ids `<tag>-<n>` for n in [from, to). */
export async function publishEnriched(
  bus: EventBus,
  topic: string,
  deviceType: string,
  tag: string,
  from: number,
  to: number,
  eventType: "telemetry" | "trends" = "telemetry",
) {
  const records = [];
  for (let n = from; n < to; n++) {
    const { value, headers } = encodeEnrichedEvent(enriched(deviceType, `${tag}-dev-${n % 5}`, n, eventType), "json");
    records.push({ key: `${tag}-dev-${n % 5}`, value, headers: { ...headers, [HEADER.messageId]: `${tag}-${n}` } });
  }
  await bus.publish(topic, records);
}

export interface Receiver {
  url: string;
  /** Message ids received in verified requests (duplicates kept). */
  ids: string[];
  /** Requests whose signature did not verify. */
  forged: number;
  /** Every request that arrived, answered or not. */
  requests: number;
  /** When each request arrived (epoch ms), and its webhook-id. */
  arrivals: { at: number; id: string }[];
  /** Sent with a 429. */
  retryAfter?: string;
  /** "ok": 200; a number: answer that status; "hang": never answer. */
  mode: "ok" | "hang" | number;
  headers: Headers[];
  /** Only answers (and records) while up; down refuses connections. */
  down(): void;
  up(): void;
  close(): void;
}

/** A real HTTP server that verifies Standard Webhooks signatures with the app's secret. */
export function startReceiver(secret: () => string, port = 0): Receiver {
  const r: Receiver = {
    url: "",
    ids: [],
    forged: 0,
    requests: 0,
    arrivals: [],
    mode: "ok",
    headers: [],
    down: () => server.stop(true),
    up: () => {
      server = listen(Number(new URL(r.url).port));
    },
    close: () => server.stop(true),
  };
  const listen = (p: number) =>
    Bun.serve({
      hostname: "127.0.0.1",
      port: p,
      idleTimeout: 0,
      async fetch(req) {
        r.requests++;
        r.arrivals.push({ at: Date.now(), id: req.headers.get("webhook-id") ?? "" });
        const body = await req.text();
        if (r.mode === "hang") return new Promise<Response>(() => {});
        if (typeof r.mode === "number")
          return new Response("nope", {
            status: r.mode,
            headers: r.mode === 429 && r.retryAfter ? { "retry-after": r.retryAfter } : {},
          });
        if (!verify(secret(), req.headers, body)) {
          r.forged++;
          return new Response("bad signature", { status: 400 });
        }
        r.headers.push(req.headers);
        for (const item of JSON.parse(body) as { id: string }[]) r.ids.push(item.id);
        return new Response(null, { status: 204 });
      },
    });
  let server = listen(port);
  r.url = `http://127.0.0.1:${server.port}/hook`;
  return r;
}

/** `<tag>-<n>` for n in [from, to) missing from `ids`. */
export const missing = (ids: Iterable<string>, tag: string, from: number, to: number) => {
  const seen = new Set(ids);
  const out: string[] = [];
  for (let n = from; n < to; n++) if (!seen.has(`${tag}-${n}`)) out.push(`${tag}-${n}`);
  return out;
};
