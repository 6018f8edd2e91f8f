/**
 * Where a process's CPU went, by owner: a .cpuprofile (bun --cpu-prof; pipeline.ts and
 * latency.ts write them with --cpu-prof) summed by who is responsible. Native frames (copy,
 * alloc, JSON.stringify, socket writes…) count for the nearest JavaScript frame above them, so
 * `Buffer.alloc` inside kafkajs' encoder counts as kafkajs producing, not as "native"; so do
 * runtime frames (node:net socket writes count for whoever wrote). Each sample is one sampling
 * interval of CPU (the median gap between samples; longer gaps are idle time).
 *   bun bench/profile-summary.ts bench/results/profiles/<name>.cpuprofile [more…]
 */
import { basename } from "node:path";
import { printTable, round } from "./lib/table";

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

/** First matching rule names the owner of a JavaScript frame. */
const OWNERS: Array<[RegExp, string]> = [
  [
    /kafkajs\/src\/(producer|protocol\/requests\/produce|protocol\/recordBatch\/(v0\/index|record\/v0\/index|header\/v0\/index|crc32C))/,
    "kafkajs: produce (partition, encode, crc)",
  ],
  [
    /kafkajs\/src\/(consumer|protocol\/requests\/fetch|protocol\/recordBatch\/.*decoder|protocol\/decoder)/,
    "kafkajs: fetch (decode, runner)",
  ],
  [/kafkajs\/src\/protocol\/encoder/, "kafkajs: Encoder (Buffer.alloc + copy per record and header)"],
  [/kafkajs\/src\/(network|protocol\/request)/, "kafkajs: network (socket writes, requests)"],
  [/kafkajs\//, "kafkajs: other"],
  [
    /@platformatic\/kafka\/dist\/(clients\/producer|protocol\/(records|compression|crc32c|writer|dynamic-buffer)|apis\/producer)/,
    "@platformatic/kafka: produce (batch, compress, crc)",
  ],
  [
    /@platformatic\/kafka\/dist\/(clients\/consumer|apis\/consumer|protocol\/reader)/,
    "@platformatic/kafka: fetch (decode, messages stream)",
  ],
  [/@platformatic\/(kafka|dynamic-buffer|wasm-utils)\//, "@platformatic/kafka: other (network, buffers)"],
  [/@bufbuild\/protobuf/, "protobuf-es (toBinary/fromBinary)"],
  [/services\/common\/src\/codec/, "codec (JSON/protobuf mapping, validation)"],
  [/services\/common\/src\/bus/, "bus (kafka-bus.ts)"],
  [/services\/enrichment\//, "enrichment (enrich, data quality, pipeline)"],
  [/bench\//, "bench (passthrough)"],
  [/services\/ingest\//, "ingest (hooks, device records, batcher, metrics)"],
  [/services\/history\//, "history (ingest, points, store)"],
  [/node_modules\/postgres\//, "postgres-js"],
  [/node_modules\/aedes\//, "aedes (MQTT protocol handling)"],
  [/node_modules\/(mqtt-packet|bl)\//, "mqtt-packet (parse, write)"],
  [/node_modules\/(mqemitter|qlobber|aedes-persistence|aedes-packet)\//, "aedes: routing and persistence"],
  [/node_modules\/prom-client\/|services\/common\/src\/metrics/, "metrics (prom-client)"],
  [/@connectrpc|node:http2/, "registry client (Connect)"],
];

function summarize(path: string, profile: Profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const ownerCache = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const cached = ownerCache.get(id);
    if (cached) return cached;
    const n = byId.get(id)!;
    const fn = n.callFrame.functionName;
    let owner: string;
    if (fn === "(garbage collector)") owner = "GC";
    else if (fn === "(idle)" || fn === "(program)" || fn === "(root)") owner = "idle / program";
    else if (!n.callFrame.url || /^(\[native code\]|node:|internal:)/.test(n.callFrame.url)) {
      owner = parent.has(id) ? ownerOf(parent.get(id)!) : "runtime (event loop: socket reads, timers)";
    } else owner = OWNERS.find(([re]) => re.test(n.callFrame.url))?.[1] ?? "other JS";
    ownerCache.set(id, owner);
    return owner;
  };
  const interval = [...profile.timeDeltas].sort((a, b) => a - b)[profile.timeDeltas.length >> 1] ?? 1000;
  const all = profile.timeDeltas.reduce((a, b) => a + b, 0);
  const totals = new Map<string, number>();
  for (const id of profile.samples) totals.set(ownerOf(id), (totals.get(ownerOf(id)) ?? 0) + interval);
  const busy = [...totals].reduce((n, [owner, us]) => (owner === "idle / program" ? n : n + us), 0);
  const rows = [...totals]
    .filter(([owner]) => owner !== "idle / program")
    .sort((a, b) => b[1] - a[1])
    .map(([owner, us]) => ({ owner, cpu_s: round(us / 1e6, 2), share_of_busy_pct: round((us / busy) * 100, 1) }));
  printTable(`${basename(path)}: ${round(busy / 1e6, 1)} s of CPU in ${round(all / 1e6, 1)} s profiled`, rows);
}

for (const path of Bun.argv.slice(2)) summarize(path, (await Bun.file(path).json()) as Profile);
