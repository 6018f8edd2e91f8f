/**
 * Where one record's latency goes on the bus path (bench/latency.ts measures only its two halves).
 * A paced producer here → raw topic → a relay process (the passthrough's subscribe → publish, on the
 * bus the services use) → out topic → a reader process. The relay and the reader note when
 * @platformatic/kafka pushed each record into its stream and when the fetch that carried it was sent,
 * and the relay when each Produce request went out and was answered (the client's diagnostics
 * channels), so each record's path splits into hops. "Created" is a record's timestamp: the producing
 * client's clock when it built the batch (@platformatic/kafka reads a record's time from the batch's
 * first timestamp, so a topic's LogAppendTime would not show).
 *   produce    publish called here → raw record created
 *   idle       created → the relay's next fetch sent (0 when a fetch was already waiting on the broker)
 *   fetch      that fetch sent (or the creation, if later) → the record pushed into the relay's stream
 *   held       pushed → the relay's handler called with it (the previous cycle's publishes in flight)
 *   handler    handler called → publish called (--work-us spins per record, like enrichment's CPU;
 *              --out-copies repeats each value, as enrichment's output is ~3.3 times its input)
 *   ack        publish called → publish resolved, split into: to the wire (send coalescer, encoding),
 *              the Produce round trip, the response → the publish resolved
 *   r_idle, r_fetch, r_held   the same three for the reader, from the output's creation to its handler
 * Same clock: every process runs on this machine.
 *   KAFKA_BROKERS=127.0.0.1:9092 bun bench/experiments/latency-hops.ts [--rate 5000] [--seconds 10]
 *     [--warmup 3] [--work-us 0] [--out-copies 1] [--reader platformatic|kafkajs] [--producer platformatic|kafkajs]
 */
import { tracingChannel } from "node:diagnostics_channel";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { EventBus, OutgoingRecord } from "@iot/common/bus";
import { createKafkaBusFromConfig, loadBusConfig } from "@iot/common/bus-config";
import { createLogger } from "@iot/common/logger";
import { onShutdown } from "@iot/common/shutdown";
import { HEADER } from "@iot/common/wire";
import { generateRawRecords } from "../lib/fleet-data";
import { createAdmin } from "../lib/kafka";
import { cpuSeconds } from "../lib/proc";
import { firstLine, runId } from "../lib/services";
import { percentile, sortedCopy } from "../lib/stats";
import { printTable, type Row } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    rate: { type: "string", default: "5000" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "3" },
    "work-us": { type: "string", default: "0" },
    "out-copies": { type: "string", default: "1" },
    reader: { type: "string", default: "platformatic" },
    producer: { type: "string", default: "platformatic" },
    role: { type: "string" },
    raw: { type: "string" },
    out: { type: "string" },
    file: { type: "string" },
  },
});
const brokers = process.env.KAFKA_BROKERS;
if (!brokers) throw new Error("KAFKA_BROKERS is required");
const H = {
  sent: "hop-sent",
  fetch: "hop-fetch",
  pushed: "hop-pushed",
  handler: "hop-handler",
  publish: "hop-publish",
};
const now = () => performance.timeOrigin + performance.now();

const busOf = (client: string, out: string, clientId: string) =>
  createKafkaBusFromConfig(
    loadBusConfig({ KAFKA_BROKERS: brokers, KAFKA_CLIENT: client, TOPIC_ENRICHED: out }),
    clientId,
    createLogger(clientId, { level: "error" }),
  );

/**
 * When @platformatic/kafka pushed each record into its stream, and when the fetch that brought it was
 * sent; kafkajs has no such channels, so its reader leaves both out (NaN).
 */
function streamTimes() {
  const pushed = new Map<string, [number, number]>();
  let fetchSent = Number.NaN;
  const sentAt = new WeakMap<object, number>();
  const noop = () => {};
  tracingChannel("plt:kafka:consumer:fetches").subscribe({
    start: (ctx) => void sentAt.set(ctx as object, now()),
    asyncStart: (ctx) => void (fetchSent = sentAt.get(ctx as object) ?? Number.NaN),
    end: noop,
    asyncEnd: noop,
    error: noop,
  });
  tracingChannel("plt:kafka:consumer:receives").subscribe({
    asyncStart: (ctx) => {
      const m = (ctx as { result: { partition: number; offset: bigint } }).result;
      pushed.set(`${m.partition}:${m.offset}`, [now(), fetchSent]);
    },
    start: noop,
    end: noop,
    asyncEnd: noop,
    error: noop,
  });
  return (partition: number, offset: string) => {
    const key = `${partition}:${offset}`;
    const t = pushed.get(key) ?? [Number.NaN, Number.NaN];
    pushed.delete(key);
    return t;
  };
}

/** The Kafka API keys the relay's requests are counted by (the rest are start-up and group upkeep). */
const API = { 0: "produce", 1: "fetch", 8: "commit", 12: "heartbeat", 3: "metadata" } as Record<number, string>;

/**
 * What the relay asked the broker, by API, and when each Produce request was written and its
 * response read (the requests that go out on every cycle are the per-record cost that is not per record).
 */
function requestLog() {
  const produce: number[] = [];
  const counts: Record<string, number> = {};
  const noop = () => {};
  tracingChannel("plt:kafka:connections:api").subscribe({
    start: (ctx) => {
      const c = ctx as { apiKey: number; written?: number };
      const name = API[c.apiKey] ?? "other";
      counts[name] = (counts[name] ?? 0) + 1;
      if (c.apiKey === 0) c.written = now();
    },
    asyncStart: (ctx) => {
      const c = ctx as { apiKey: number; written?: number };
      if (c.apiKey === 0 && c.written !== undefined) produce.push(c.written, now());
    },
    end: noop,
    asyncEnd: noop,
    error: noop,
  });
  return { produce, counts };
}

async function relay(raw: string, out: string, file: string, workUs: number, copies: number) {
  const times = streamTimes();
  const requests = requestLog();
  let handlerCalls = 0;
  const bus = busOf("platformatic", out, "hops-relay");
  await bus.start();
  const acks: number[] = [];
  const sub = await bus.subscribe({
    groupId: `hops-relay-${runId()}`,
    topics: [raw],
    fromBeginning: true,
    handler: async (batch) => {
      const handler = now();
      handlerCalls++;
      for (const until = handler + (workUs * batch.records.length) / 1000; now() < until; );
      const records = batch.records.map((r) => {
        const [pushed, fetch] = times(r.partition, r.offset);
        return {
          key: r.key,
          value: copies === 1 ? r.value : Buffer.concat(Array.from({ length: copies }, () => r.value)),
          headers: {
            ...r.headers,
            [HEADER.messageId]: `${r.topic}/${r.partition}/${r.offset}`,
            [HEADER.sourceTimestamp]: String(r.timestamp),
            [H.fetch]: String(fetch),
            [H.pushed]: String(pushed),
            [H.handler]: String(handler),
          },
        };
      });
      const publish = now();
      for (const r of records) r.headers[H.publish] = String(publish);
      await bus.publish(out, records);
      const acked = now();
      for (const r of batch.records) acks.push(r.partition, Number(r.offset), acked);
    },
  });
  console.log("ready");
  onShutdown(
    async () => {
      await sub.stop();
      await bus.stop();
      await Bun.write(
        file,
        JSON.stringify({
          acks,
          produce: requests.produce,
          counts: { ...requests.counts, "handler calls": handlerCalls },
        }),
      );
    },
    createLogger("hops-relay", { level: "error" }),
  );
}

async function reader(client: string, out: string, file: string) {
  const times = streamTimes();
  const bus = busOf(client, out, "hops-reader");
  await bus.start();
  const rows: number[][] = [];
  const sub = await bus.subscribe({
    groupId: `hops-reader-${runId()}`,
    topics: [out],
    fromBeginning: true,
    handler: async (batch) => {
      const handler = now();
      for (const r of batch.records) {
        const [pushed, fetch] = times(r.partition, r.offset);
        const [, partition, offset] = r.headers[HEADER.messageId]!.split("/");
        const h = (k: string) => Number(r.headers[k]);
        rows.push([
          Number(partition),
          Number(offset),
          h(H.sent),
          h(HEADER.sourceTimestamp),
          h(H.fetch),
          h(H.pushed),
          h(H.handler),
          h(H.publish),
          r.timestamp,
          fetch,
          pushed,
          handler,
        ]);
      }
    },
  });
  console.log("ready");
  onShutdown(
    async () => {
      await sub.stop();
      await bus.stop();
      await Bun.write(file, JSON.stringify(rows));
    },
    createLogger("hops-reader", { level: "error" }),
  );
}

function spawnRole(role: string, args: string[]) {
  return Bun.spawn(["bun", import.meta.path, "--role", role, ...args], {
    env: { ...process.env },
    stdout: "pipe",
    stderr: "inherit",
  });
}

async function main() {
  const [rate, warmupMs, measureMs] = [Number(flags.rate), Number(flags.warmup) * 1000, Number(flags.seconds) * 1000];
  const id = runId();
  const raw = `bench.hops.${id}.raw`;
  const out = `bench.hops.${id}.out`;
  const admin = createAdmin(brokers!);
  await admin.createTopics([raw, out], 6);
  const relayFile = join(tmpdir(), `hops-relay-${id}.json`);
  const readerFile = join(tmpdir(), `hops-reader-${id}.json`);
  const relayProc = spawnRole("relay", [
    "--raw",
    raw,
    "--out",
    out,
    "--file",
    relayFile,
    "--work-us",
    flags["work-us"],
  ]);
  const readerProc = spawnRole("reader", ["--out", out, "--file", readerFile, "--reader", flags.reader]);
  const pool: OutgoingRecord[] = [];
  await generateRawRecords(60_000, ["json"], async (chunk) => void pool.push(...chunk.get("json")!));
  const bus: EventBus = busOf(flags.producer, out, "hops-producer");
  await bus.start();
  let sent = 0;
  const publish = async (n: number) => {
    const at = String(now());
    const records = Array.from({ length: n }, (_, i) => {
      const r = pool[(sent + i) % pool.length]!;
      return { ...r, headers: { ...r.headers, [H.sent]: at } };
    });
    sent += n;
    await bus.publish(raw, records);
  };
  try {
    await Promise.all([firstLine(relayProc.stdout, "ready", "relay"), firstLine(readerProc.stdout, "ready", "reader")]);
    await publish(100);
    await admin.waitForRecords([out], 100, 60_000);
    const start = Date.now();
    let phaseSent = 0;
    let from = { at: 0, relayCpu: 0, readerCpu: 0 };
    for (let t = start; t < start + warmupMs + measureMs; t = Date.now()) {
      if (from.at === 0 && t >= start + warmupMs)
        from = { at: t, relayCpu: cpuSeconds(relayProc.pid), readerCpu: cpuSeconds(readerProc.pid) };
      const due = Math.floor((rate * (t - start)) / 1000) - phaseSent;
      if (due > 0) {
        phaseSent += due;
        await publish(due);
      } else await Bun.sleep(5);
    }
    const to = Date.now();
    const measured = Math.round((phaseSent * measureMs) / (warmupMs + measureMs));
    const cpuUs = (pid: number, at0: number) => Math.round(((cpuSeconds(pid) - at0) * 1e6) / measured);
    const cpu = { relay: cpuUs(relayProc.pid, from.relayCpu), reader: cpuUs(readerProc.pid, from.readerCpu) };
    await admin.waitForRecords([out], sent, 120_000);
    relayProc.kill("SIGTERM");
    readerProc.kill("SIGTERM");
    await Promise.all([relayProc.exited, readerProc.exited]);
    const acks = new Map<string, number>();
    const relayLog: { acks: number[]; produce: number[]; counts: Record<string, number> } =
      await Bun.file(relayFile).json();
    const a = relayLog.acks;
    console.log(`relay, whole run (${sent} records): ${JSON.stringify(relayLog.counts)}`);
    for (let i = 0; i < a.length; i += 3) acks.set(`${a[i]}:${a[i + 1]}`, a[i + 2]!);
    const rows: number[][] = (await Bun.file(readerFile).json()).filter(
      (r: number[]) => r[2]! >= from.at && r[2]! < to,
    );
    report(rows, acks, relayLog.produce, cpu);
  } finally {
    for (const p of [relayProc, readerProc]) if (p.exitCode === null) p.kill("SIGTERM");
    await bus.stop();
    await admin.deleteTopics([raw, out]).catch((e) => console.error(`cleanup: ${e}`));
    await admin.disconnect();
    for (const f of [relayFile, readerFile])
      await Bun.file(f)
        .delete()
        .catch(() => {});
  }
}

function report(
  rows: number[][],
  acks: Map<string, number>,
  requests: number[],
  cpu: { relay: number; reader: number },
) {
  const hops: Record<string, number[]> = {};
  // The request that carried a record is the first one written after its publish (one is in flight at a time).
  const carrier = (publish: number) => {
    let [lo, hi] = [0, requests.length / 2];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (requests[mid * 2]! < publish) lo = mid + 1;
      else hi = mid;
    }
    return lo < requests.length / 2 ? [requests[lo * 2]!, requests[lo * 2 + 1]!] : [Number.NaN, Number.NaN];
  };
  const add = (name: string, v: number) => Number.isFinite(v) && (hops[name] ??= []).push(v);
  for (const [
    partition,
    offset,
    sent,
    created,
    fetch,
    pushed,
    handler,
    publish,
    outCreated,
    rFetch,
    rPushed,
    rHandler,
  ] of rows) {
    add("produce", created! - sent!);
    add("idle", Math.max(0, fetch! - created!));
    add("fetch", pushed! - Math.max(fetch!, created!));
    add("held", handler! - pushed!);
    add("handler", publish! - handler!);
    const acked = acks.get(`${partition}:${offset}`)!;
    const [written, answered] = carrier(publish!);
    add("ack", acked - publish!);
    add("  to the wire (publish → request written)", written! - publish!);
    add("  produce round trip", answered! - written!);
    add("  response → publish resolved", acked - answered!);
    add("r_idle", Math.max(0, rFetch! - outCreated!));
    add("r_fetch", rPushed! - Math.max(rFetch!, outCreated!));
    add("r_held", rHandler! - rPushed!);
    add("relay (created → out created)", outCreated! - created!);
    add("reader (out created → handler)", rHandler! - outCreated!);
    add("total (sent → reader's handler)", rHandler! - sent!);
  }
  const table: Row[] = Object.entries(hops).map(([hop, v]) => {
    const s = sortedCopy(v);
    const r = (x: number) => Math.round(x * 10) / 10;
    return {
      hop,
      n: s.length,
      p50_ms: r(percentile(s, 50)),
      p90_ms: r(percentile(s, 90)),
      p99_ms: r(percentile(s, 99)),
    };
  });
  printTable(
    `Hops (rate ${flags.rate}, work ${flags["work-us"]} µs a record; CPU µs a record: relay ${cpu.relay}, reader ${cpu.reader})`,
    table,
  );
}

if (flags.role === "relay")
  await relay(flags.raw!, flags.out!, flags.file!, Number(flags["work-us"]), Number(flags["out-copies"]));
else if (flags.role === "reader") await reader(flags.reader, flags.out!, flags.file!);
else await main();
