/**
 * The ceiling for the registry's gRPC figure (issue 18: ≥ 10,000 req/s by device type at 64
 * connections): bare HTTP/2 servers answering a fixed gRPC response of the registry's size under
 * the very h2load load of bench/registry.ts. node:http2's `stream` event and its compatibility
 * `request` event (what connect-node uses), under Bun and under Node; and Bun.serve's own HTTP/2,
 * which has no trailers (see the server file). CPU per request comes from /proc and moves less than
 * req/s when the machine is shared.
 *   bun bench/experiments/http2-ceiling.ts [--connections 64] [--seconds 10] [--warmup 2] [--bytes 727]
 */
import { parseArgs } from "node:util";
import { freePort } from "@iot/common/testing-process";
import { ensureTools, h2loadByDeviceType } from "../lib/load-tools";
import { cpuSeconds } from "../lib/proc";
import { printTable, round } from "../lib/table";

const { values: flags } = parseArgs({
  args: Bun.argv.slice(2),
  options: {
    connections: { type: "string", default: "64" },
    seconds: { type: "string", default: "10" },
    warmup: { type: "string", default: "2" },
    // The registry's answer for smart_breaker with the example registrations.
    bytes: { type: "string", default: "727" },
  },
});
const SERVER = `${import.meta.dir}/http2-ceiling-server.mjs`;
const variants: Array<[runtime: string, api: string]> = [
  ["bun", "stream"],
  ["bun", "request"],
  ["node", "stream"],
  ["node", "request"],
  ["bun", "bun-serve"],
];

await ensureTools();
const rows: Record<string, string | number>[] = [];
for (const [runtime, api] of variants) {
  const port = await freePort();
  const server = Bun.spawn([runtime, SERVER, api, String(port), flags.bytes], { stdout: "pipe", stderr: "inherit" });
  try {
    const reader = server.stdout.getReader();
    const first = await reader.read();
    if (!new TextDecoder().decode(first.value).includes("listening"))
      throw new Error(`${runtime} ${api} did not start`);
    const before = cpuSeconds(server.pid);
    const started = performance.now();
    const r = await h2loadByDeviceType({
      baseUrl: `http://127.0.0.1:${port}`,
      deviceType: "smart_breaker",
      connections: Number(flags.connections),
      seconds: Number(flags.seconds),
      warmup: Number(flags.warmup),
    });
    const cpu = (cpuSeconds(server.pid) - before) / ((performance.now() - started) / 1000);
    rows.push({
      runtime: runtime === "bun" ? `bun ${Bun.version}` : `node ${(await Bun.$`node --version`.text()).trim()}`,
      server: api === "bun-serve" ? "Bun.serve http2 (no trailers)" : `node:http2 '${api}' event`,
      ...r,
      server_cpu_pct: Math.round(cpu * 100),
      server_cpu_us_per_req: round((cpu / r.requests_per_s) * 1e6, 1),
    });
    console.log(`${runtime} ${api}: ${r.requests_per_s} req/s`);
  } finally {
    server.kill();
    await server.exited;
  }
}
printTable(`Bare HTTP/2 servers, fixed gRPC answer of ${flags.bytes} B, h2load ${flags.connections} connections`, rows);
