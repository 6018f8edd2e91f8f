/**
 * Part 7 — delivery to registered applications.
 *   bun bench/delivery.ts [--apps 10] [--records 20000] [--rate 5000] [--latency-apps 1] [--seconds 10] [--warmup 2]
 * The App Registry (SQLite) and the delivery service as child processes; `--apps` applications
 * registered for smart_breaker, each with a webhook on one local receiver here that counts what it
 * gets (and checks one signature per app). On a fresh 6-partition enriched topic:
 *   1. throughput: `--records` enriched records produced at once; deliveries/s = apps × records over
 *      the time from the first to the last item received;
 *   2. latency: the first `--latency-apps` stay active (the others are deactivated: 5,000 records/s
 *      to 10 apps would be 50,000 deliveries/s, past part 1's ceiling); a paced producer offers
 *      `--rate` records/s; latency = receive time at the handler − the record's produce time (carried
 *      in its message id), p50/p99 over the measured window.
 *   3. isolation: one more application, on the stream; its latency at `--isolation-rate` records/s
 *      while the first webhook app's endpoint answers, then while it answers 503 for `--outage` s,
 *      and how many items that webhook app gets once its endpoint is back.
 * What part 2 measures is the delivery hop (enriched produce → application handler); the raw →
 * enriched hop is part 2 of `bun run bench` (latency.ts).
 */
import { parseArgs } from "node:util";
import { HEADER } from "@iot/common/wire";
import { encodeEnrichedEvent } from "@iot/common/codec";
import { freePort, spawnService } from "@iot/common/testing-process";
import { verify } from "../services/delivery/src/signature";
import { enriched } from "../services/delivery/test/support";
import { benchBus, useBroker } from "./lib/kafka";
import { cpuSeconds, rssMb } from "./lib/proc";
import { writeResult } from "./lib/results";
import { runId, startRegistry, waitReady } from "./lib/services";
import { percentile, sortedCopy } from "./lib/stats";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    apps: { type: "string", default: "10" },
    records: { type: "string", default: "20000" },
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    "latency-apps": { type: "string", default: "1" },
    outage: { type: "string", default: "60" },
    "isolation-rate": { type: "string", default: "1000" },
  },
});
const [apps, records, rate, seconds, warmup, latencyApps] = [
  flags.apps,
  flags.records,
  flags.rate,
  flags.seconds,
  flags.warmup,
  flags["latency-apps"],
].map(Number) as [number, number, number, number, number, number];
const [outage, isolationRate] = [Number(flags.outage), Number(flags["isolation-rate"])];
const run = runId();
const topics = {
  raw: `bench-dlv-${run}.raw`,
  enriched: `bench-dlv-${run}.enriched`,
  dlq: `bench-dlv-${run}.dlq`,
  deliveryDlq: `bench-dlv-${run}.delivery-dlq`,
};

const broker = await useBroker();
const registry = await startRegistry("sqlite");
const bus = await benchBus(broker.brokers, "bench-delivery");

// One receiver for every app (path /hook/<i>): counts items and their latency; checks the first signature of each app.
const received = new Array<number>(apps).fill(0);
const latencies: number[] = [];
let [first, last, badSignatures] = [0, 0, 0];
let measuring = { from: Infinity, to: Infinity };
const secrets: string[] = [];
const ids: string[] = [];
const checked = new Set<number>();
/** Apps whose endpoint answers 503 (phase 3). */
const down = new Set<number>();
const receiver = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const i = Number(new URL(req.url).pathname.split("/").at(-1));
    if (down.has(i)) return new Response("down", { status: 503 });
    const body = await req.text();
    const now = Date.now();
    if (!checked.has(i)) {
      checked.add(i);
      if (!verify(secrets[i]!, req.headers, body)) badSignatures++;
    }
    const items = JSON.parse(body) as { id: string }[];
    first ||= now;
    last = now;
    received[i]! += items.length;
    for (const { id } of items) {
      const sent = Number(id.split("-")[1]);
      if (sent >= measuring.from && sent < measuring.to) latencies.push(now - sent);
    }
    return new Response(null, { status: 204 });
  },
});

const deliveryPort = await freePort();
const delivery = spawnService("services/delivery/src/main.ts", {
  KAFKA_BROKERS: broker.brokers,
  KAFKA_PARTITIONS: "6",
  TOPIC_RAW: topics.raw,
  TOPIC_ENRICHED: topics.enriched,
  TOPIC_DLQ: topics.dlq,
  TOPIC_DELIVERY_DLQ: topics.deliveryDlq,
  DELIVERY_GROUP_PREFIX: `bench-dlv-${run}`,
  DELIVERY_PORT: String(deliveryPort),
  DELIVERY_ALLOWED_HOSTS: "127.0.0.1",
  REGISTRY_URL: registry.httpUrl,
  REGISTRY_RPC_URL: registry.rpcUrl,
  LOG_LEVEL: "warn",
});
const deliveryUrl = `http://127.0.0.1:${deliveryPort}`;

async function webhooksRunning(done: (n: number) => boolean) {
  for (const deadline = Date.now() + 60_000; ; await Bun.sleep(200)) {
    const { deliveries } = (await (await fetch(`${deliveryUrl}/api/v1/deliveries`)).json()) as {
      deliveries: { channel: string }[];
    };
    if (done(deliveries.filter((d) => d.channel === "webhook").length)) return;
    if (Date.now() > deadline) throw new Error("the webhook channels did not reach the expected count");
  }
}

/** Offers `perSecond` records for `warmupS + seconds`, telling `window` which produce times are measured. */
async function pace(
  perSecond: number,
  warmupS: number,
  seconds: number,
  window: (w: { from: number; to: number }) => void,
) {
  const tickMs = 5;
  const start = Date.now();
  const w = { from: start + warmupS * 1000, to: start + (warmupS + seconds) * 1000 };
  window(w);
  let sent = 0;
  while (Date.now() < w.to) {
    const count = Math.floor(((Date.now() - start) / 1000) * perSecond) - sent;
    if (count > 0) {
      void bus.publish(
        topics.enriched,
        batch(count, () => Date.now()),
      );
      sent += count;
    }
    await Bun.sleep(tickMs);
  }
  return { sent, offered: sent / ((Date.now() - start) / 1000) };
}

/** An SSE reader keeping each event's latency (receive time − produce time in its message id) within `window`. */
async function streamLatencies(key: string) {
  const res = await fetch(`${deliveryUrl}/api/v1/stream`, { headers: { authorization: `Bearer ${key}` } });
  if (res.status !== 200) throw new Error(`stream: ${res.status}`);
  const out = {
    window: { from: Infinity, to: Infinity },
    samples: [] as number[],
    count: 0,
    stop: () => reader.cancel(),
  };
  const reader = res.body!.getReader();
  void (async () => {
    const text = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      buffer += text.decode(value, { stream: true });
      const now = Date.now();
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const id = /"id":"b-(\d+)-/.exec(buffer.slice(0, end))?.[1];
        buffer = buffer.slice(end + 2);
        if (id === undefined) continue;
        out.count++;
        const sent = Number(id);
        if (sent >= out.window.from && sent < out.window.to) out.samples.push(now - sent);
      }
    }
  })();
  return out;
}

const p = (xs: number[], q: number) => round(percentile(sortedCopy(xs), q), 1);

let n = 0;
const batch = (count: number, stamp: () => number) =>
  Array.from({ length: count }, () => {
    const i = n++;
    const { value, headers } = encodeEnrichedEvent(enriched("smart_breaker", `breaker-${i % 1000}`, i), "json");
    return { key: `breaker-${i % 1000}`, value, headers: { ...headers, [HEADER.messageId]: `b-${stamp()}-${i}` } };
  });

try {
  await waitReady(`${deliveryUrl}/readyz`, 60_000, delivery);
  for (let i = 0; i < apps; i++) {
    const res = await fetch(`${registry.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: `bench-${run}-${i}`,
        developer: "bench",
        version: "1",
        contact_email: "b@example.com",
        devicetypes: ["smart_breaker"],
        webhook_url: `http://127.0.0.1:${receiver.port}/hook/${i}`,
      }),
    });
    const { application } = (await res.json()) as { application: { id: string; webhook_secret: string } };
    secrets[i] = application.webhook_secret;
    ids[i] = application.id;
  }
  await webhooksRunning((n) => n >= apps);
  await Bun.sleep(1_000); // every group has joined and seeked (status appears at channel creation)

  // 1. Throughput.
  const cpu0 = cpuSeconds(delivery.proc.pid);
  for (let i = 0; i < records; i += 5_000)
    await bus.publish(
      topics.enriched,
      batch(Math.min(5_000, records - i), () => 0),
    );
  for (const deadline = Date.now() + 300_000; received.some((r) => r < records); await Bun.sleep(50))
    if (Date.now() > deadline) throw new Error(`throughput: received ${received.join(",")} of ${records} each`);
  const throughput = {
    deliveries: apps * records,
    seconds: (last - first) / 1000,
    cpu_s: cpuSeconds(delivery.proc.pid) - cpu0,
  };

  // 2. Latency at a paced rate, to the first `latencyApps` applications.
  for (const id of ids.slice(latencyApps))
    await fetch(`${registry.httpUrl}/api/applications/${id}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"status": "inactive"}',
    });
  await webhooksRunning((n) => n <= latencyApps);
  received.fill(0);
  const { sent, offered } = await pace(rate, warmup, seconds, (w) => (measuring = w));
  for (const deadline = Date.now() + 60_000; received.slice(0, latencyApps).some((r) => r < sent); await Bun.sleep(50))
    if (Date.now() > deadline) break;
  const sorted = sortedCopy(latencies);
  const rows = [
    {
      measure: `throughput: ${apps} apps × ${records} records`,
      deliveries_per_s: round(throughput.deliveries / throughput.seconds),
      delivery_cpu_s: round(throughput.cpu_s, 1),
      delivery_peak_rss_mb: round(rssMb(delivery.proc.pid)?.peak ?? NaN),
    },
    {
      measure: `latency at ${rate} records/s × ${latencyApps} app(s)`,
      offered_per_s: round(offered),
      p50_ms: round(percentile(sorted, 0.5), 1),
      p99_ms: round(percentile(sorted, 0.99), 1),
      max_ms: round(sorted.at(-1) ?? NaN),
      samples: sorted.length,
      bad_signatures: badSignatures,
    },
  ];
  printTable("Delivery: signed webhooks to local receivers (enriched produce → application handler)", rows);

  // 3. Isolation: a stream application's latency with the webhook app's endpoint up, then down (503) for `--outage` s.
  const streamApp = (await (
    await fetch(`${registry.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: `bench-${run}-stream`,
        developer: "bench",
        version: "1",
        contact_email: "b@example.com",
        devicetypes: ["smart_breaker"],
      }),
    })
  ).json()) as { application: { api_key: string } };
  await Bun.sleep(1_000); // delivery learns the new key from the registry's watch
  const isolation = [];
  let producedWhileDown = 0;
  for (const phase of ["webhook up", "webhook down"] as const) {
    if (phase === "webhook down") down.add(0);
    const s = await streamLatencies(streamApp.application.api_key);
    await Bun.sleep(1_000); // the session's group has joined
    const r = await pace(isolationRate, 2, phase === "webhook up" ? 10 : outage, (w) => (s.window = w));
    await Bun.sleep(1_000);
    s.stop();
    if (phase === "webhook down") producedWhileDown = r.sent;
    isolation.push({
      phase,
      offered_per_s: round(r.offered),
      stream_p50_ms: p(s.samples, 0.5),
      stream_p99_ms: p(s.samples, 0.99),
      samples: s.samples.length,
    });
  }
  const before = received[0]!;
  down.clear();
  // Everything produced while it was down (and the tail of the last phase) arrives once a retry finds it up again.
  const upAt = Date.now();
  for (const deadline = upAt + 120_000; received[0]! - before < producedWhileDown && Date.now() < deadline; )
    await Bun.sleep(50);
  const caughtUp = received[0]! - before;
  const catchUpS = round((Date.now() - upAt) / 1000, 1);
  printTable(
    `Isolation: a stream app's latency while the other app's webhook answers 503 (${isolationRate} records/s)`,
    [
      ...isolation,
      {
        phase: "after the endpoint returned",
        produced_while_down: producedWhileDown,
        webhook_items_after_return: caughtUp,
        seconds_to_catch_up: catchUpS,
      },
    ],
  );
  await writeResult("delivery", broker.version, {
    apps,
    records,
    deliveries_per_s: rows[0]!.deliveries_per_s,
    p99_ms_at_5000_msgs_per_s: rate === 5000 ? rows[1]!.p99_ms : null,
    rows,
    isolation,
  });
} finally {
  await delivery.stop();
  receiver.stop(true);
  await bus.stop();
  await registry.stop();
  await broker.stop();
}
