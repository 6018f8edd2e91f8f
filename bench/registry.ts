/**
 * Part 3 — App Registry under load from real HTTP load tools, SQLite and PostgreSQL.
 *   bun bench/registry.ts [--connections 64] [--seconds 10] [--warmup 2] [--databases sqlite,postgres]
 * REST `GET /api/applications/by-device-type/smart_breaker` with wrk; gRPC
 * `ListApplicationsByDeviceType` with h2load (h2c, prior knowledge) POSTing one prepared gRPC
 * frame (5-byte prefix + protobuf request) with `content-type: application/grpc` and `te: trailers`,
 * one stream per connection. Each database is fresh (temp SQLite file / new PostgreSQL database,
 * dropped after) and seeded with the example applications. wrk and h2load (lib/load-tools.ts) are
 * installed if missing, as .ci/run installs chromium. Each tool runs one thread: the machine has
 * two cores and the registry needs one.
 */
import { connect } from "node:http2";
import { parseArgs } from "node:util";
import { fromBinary } from "@bufbuild/protobuf";
import { ListApplicationsByDeviceTypeResponseSchema } from "@gen/iot/registry/v1/registry_pb";
import { BY_DEVICE_TYPE_PATH, ensureTools, exec, grpcFrame, h2loadByDeviceType } from "./lib/load-tools";
import { cpuSeconds, createRssWatch } from "./lib/proc";
import { writeResult } from "./lib/results";
import { startRegistry, type RegistryProcess } from "./lib/services";
import { printTable, round } from "./lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    connections: { type: "string", default: "64" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    databases: { type: "string", default: "sqlite,postgres" },
  },
});
const DEVICE_TYPE = "smart_breaker";
const connections = Number(flags.connections);
const [seconds, warmup] = [Number(flags.seconds), Number(flags.warmup)];

await ensureTools();
const rows: Record<string, string | number>[] = [];
const peaks: Record<string, number> = {};
for (const database of flags.databases.split(",") as Array<"sqlite" | "postgres">) {
  const registry = await startRegistry(database);
  const rss = createRssWatch();
  rss.track(registry.pid, "app-registry");
  try {
    const expected = await restCount(registry);
    const grpcCount = await grpcCall(registry);
    if (grpcCount !== expected) throw new Error(`gRPC returned ${grpcCount} applications, REST ${expected}`);
    for (const [api, load] of [
      ["REST", wrk],
      ["gRPC", h2load],
    ] as const) {
      const cpuBefore = cpuSeconds(registry.pid);
      const started = performance.now();
      const r = await load(registry);
      const cpu = (cpuSeconds(registry.pid) - cpuBefore) / ((performance.now() - started) / 1000);
      rows.push({
        database,
        api,
        tool: api === "REST" ? "wrk" : "h2load",
        connections,
        applications_per_response: expected,
        ...r,
        registry_cpu_pct: Math.round(cpu * 100),
        // Steadier than req/s when other work shares the machine.
        registry_cpu_us_per_req: round((cpu / r.requests_per_s) * 1e6, 1),
      });
      console.log(`${database} ${api}: ${r.requests_per_s} req/s, p99 ${r.p99_ms} ms`);
    }
  } finally {
    peaks[database] = rss.peakOf("app-registry") ?? 0;
    rss.stop();
    await registry.stop();
  }
}
printTable(
  `App Registry: ${connections} connections, ${seconds} s after ${warmup} s warm-up, device type ${DEVICE_TYPE}`,
  rows,
);
await writeResult("registry", "not used", {
  device_type: DEVICE_TYPE,
  connections,
  seconds,
  warmup_s: warmup,
  results: rows,
  peak_rss_mb: peaks,
});

async function restCount(r: RegistryProcess): Promise<number> {
  const res = await fetch(`${r.httpUrl}/api/applications/by-device-type/${DEVICE_TYPE}`);
  const body = (await res.json()) as { count: number };
  if (!res.ok || !(body.count > 0))
    throw new Error(`REST by-device-type answered ${res.status} ${JSON.stringify(body)}`);
  return body.count;
}

/** One real gRPC call with the very frame h2load will send: checks grpc-status 0 and the answer. */
async function grpcCall(r: RegistryProcess): Promise<number> {
  const session = connect(r.rpcUrl);
  try {
    return await new Promise<number>((resolve, reject) => {
      const req = session.request({
        ":method": "POST",
        ":path": BY_DEVICE_TYPE_PATH,
        "content-type": "application/grpc",
        te: "trailers",
      });
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("trailers", (t) => {
        if (t["grpc-status"] !== "0") reject(new Error(`grpc-status ${t["grpc-status"]}: ${t["grpc-message"]}`));
      });
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        resolve(fromBinary(ListApplicationsByDeviceTypeResponseSchema, body.subarray(5)).applications.length);
      });
      req.on("error", reject);
      req.end(grpcFrame(DEVICE_TYPE));
    });
  } finally {
    session.close();
  }
}

function toMs(value: string, unit: string): number {
  return Number(value) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);
}

async function wrk(r: RegistryProcess) {
  const url = `${r.httpUrl}/api/applications/by-device-type/${DEVICE_TYPE}`;
  if (warmup > 0) await exec(["wrk", "-t1", `-c${connections}`, `-d${warmup}s`, url]);
  const out = await exec(["wrk", "-t1", `-c${connections}`, `-d${seconds}s`, "--latency", url]);
  const latency = (p: string) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)$`, "m").exec(out);
    return m ? round(toMs(m[1]!, m[2]!), 2) : NaN;
  };
  return {
    requests_per_s: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1])),
    p50_ms: latency("50"),
    p99_ms: latency("99"),
    failed:
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) +
      Number(/Socket errors: .*?(\d+) timeout/.exec(out)?.[1] ?? 0),
  };
}

function h2load(r: RegistryProcess) {
  return h2loadByDeviceType({ baseUrl: r.rpcUrl, deviceType: DEVICE_TYPE, connections, seconds, warmup });
}
