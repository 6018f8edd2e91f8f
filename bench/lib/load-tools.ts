/**
 * The HTTP load tools the bench drives (wrk, h2load; Debian packages, installed if missing, as
 * .ci/run installs chromium) and the one gRPC load the registry's figure is measured with.
 */
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  ApplicationRegistryService,
  ListApplicationsByDeviceTypeRequestSchema,
} from "@gen/iot/registry/v1/registry_pb";
import { runId } from "./services";
import { percentile, sortedCopy } from "./stats";
import { round } from "./table";

export const BY_DEVICE_TYPE_PATH = `/${ApplicationRegistryService.typeName}/${ApplicationRegistryService.method.listApplicationsByDeviceType.name}`;

export async function ensureTools() {
  const missing = ["wrk", "h2load"].filter((t) => !Bun.which(t));
  if (missing.length === 0) return;
  console.error(`installing ${missing.join(", ")} (Debian packages wrk, nghttp2-client)…`);
  const apt = (args: string[]) =>
    Bun.spawn(["apt-get", ...args], {
      stdout: "ignore",
      stderr: "inherit",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    }).exited;
  const pkgs = missing.map((t) => (t === "h2load" ? "nghttp2-client" : t));
  if (
    (await apt(["install", "-y", ...pkgs])) !== 0 &&
    ((await apt(["update"])) !== 0 || (await apt(["install", "-y", ...pkgs])) !== 0)
  ) {
    throw new Error(`could not install ${pkgs.join(", ")}: run apt-get install -y ${pkgs.join(" ")}`);
  }
}

export async function exec(cmd: string[]): Promise<string> {
  const p = Bun.spawn(cmd, { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  if (code !== 0) throw new Error(`${cmd.join(" ")} exited ${code}:\n${out}${err}`);
  return out;
}

/** One gRPC ListApplicationsByDeviceType request frame (5-byte prefix + protobuf request). */
export function grpcFrame(deviceType: string): Uint8Array {
  const message = toBinary(
    ListApplicationsByDeviceTypeRequestSchema,
    create(ListApplicationsByDeviceTypeRequestSchema, { deviceType }),
  );
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length); // byte 0: not compressed
  frame.set(message, 5);
  return frame;
}

export interface H2Load {
  /** h2c base URL, e.g. http://127.0.0.1:50051 */
  baseUrl: string;
  deviceType: string;
  connections: number;
  seconds: number;
  warmup: number;
}

/**
 * h2load (h2c, prior knowledge), one thread, one stream per connection, POSTing the prepared gRPC
 * frame with `content-type: application/grpc` and `te: trailers`; p50/p99 from its --log-file.
 */
export async function h2loadByDeviceType({ baseUrl, deviceType, connections, seconds, warmup }: H2Load) {
  const run = runId();
  const frameFile = join(tmpdir(), `bench-registry-${run}.grpc`);
  const logFile = join(tmpdir(), `bench-registry-${run}.h2load.tsv`);
  await Bun.write(frameFile, grpcFrame(deviceType));
  try {
    const out = await exec([
      "h2load",
      "-t1",
      `-c${connections}`,
      "-m1",
      `--warm-up-time=${warmup}s`,
      `-D${seconds}s`,
      "-H",
      "content-type: application/grpc",
      "-H",
      "te: trailers",
      "-d",
      frameFile,
      "--log-file",
      logFile,
      `${baseUrl}${BY_DEVICE_TYPE_PATH}`,
    ]);
    // --log-file: one line per request of the measured period: start (µs), status, duration (µs).
    const durations = (await Bun.file(logFile).text())
      .trim()
      .split("\n")
      .map((l) => Number(l.split("\t")[2]) / 1000);
    const sorted = sortedCopy(durations);
    const done = /requests: \d+ total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(out);
    return {
      requests_per_s: Math.round(Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(out)?.[1])),
      p50_ms: round(percentile(sorted, 50), 2),
      p99_ms: round(percentile(sorted, 99), 2),
      failed: Number(done?.[3] ?? NaN) + Number(done?.[4] ?? NaN),
    };
  } finally {
    await Bun.file(frameFile)
      .delete()
      .catch(() => {});
    await Bun.file(logFile)
      .delete()
      .catch(() => {});
  }
}
