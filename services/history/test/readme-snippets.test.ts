/** The README's History API commands, run as written (the port made the test server's, curl told to fail on an HTTP error) against a real SQLite store. */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import type { Level } from "../src/db/store";
import { createHttpApp } from "../src/http/app";
import { createQueries } from "../src/query";
import { openTestStore } from "./support/stores";

const H = 3_600_000;
const retentionMs: Record<Level, number> = { raw: 48 * H, "1m": 30 * 24 * H, "5m": 30 * 24 * H, "1h": 730 * 24 * H };
const readme = readFileSync(`${import.meta.dir}/../../../README.md`, "utf8");
const section = readme.slice(
  readme.indexOf("## History API"),
  readme.indexOf("\n## ", readme.indexOf("## History API") + 1),
);
const commands = [...section.matchAll(/```bash\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.trim().split("\n"));

let port: number;
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  const t = await openTestStore("sqlite");
  const now = Date.now();
  await t.store.write(
    [Date.parse("2026-11-24T12:00:00Z"), now - 10 * 60_000].flatMap((ts) => [
      { deviceId: "breaker-001", metric: "current.phase_a", ts, value: 30 },
      { deviceId: "breaker-001", metric: "voltage.phase_a", ts, value: 120 },
    ]),
    [
      {
        deviceId: "breaker-001",
        metric: "current.phase_a",
        ts: now - 30 * 60_000,
        avg: 30,
        min: 29,
        max: 31,
        last: 30,
      },
    ],
  );
  const app = createHttpApp({
    queries: createQueries(t.store, { maxPoints: 5000, retentionMs }),
    readiness: { checks: () => ({}) },
    metrics: createMetrics(),
    log: quietLogger(),
  }).listen(0);
  port = app.server!.port!;
  dir = mkdtempSync(join(tmpdir(), "history-readme-"));
  cleanup = async () => {
    await app.stop();
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  };
});
afterAll(() => cleanup());

test("every command of the README's History API section runs and answers what the README says", async () => {
  expect(commands).toHaveLength(4);
  const outputs: string[] = [];
  for (const command of commands) {
    const proc = Bun.spawn(
      ["bash", "-c", command.replaceAll("localhost:5008", `localhost:${port}`).replace(/^curl /, "curl -sSf ")],
      { cwd: dir, stdout: "pipe", stderr: "pipe" },
    );
    const [out, err, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect({ command, code, err }).toEqual({ command, code: 0, err: "" });
    outputs.push(out);
  }
  const [series, latest, trends] = outputs.slice(0, 3).map((o) => JSON.parse(o));
  expect(series.series.map((s: { metric: string; points: unknown[] }) => [s.metric, s.points.length])).toEqual([
    ["current.phase_a", 1],
    ["voltage.phase_a", 1],
  ]);
  expect(series.series[0].points[0]).toEqual({
    t: Date.parse("2026-11-24T12:00:00Z"),
    count: 1,
    avg: 30,
    min: 30,
    max: 30,
    last: 30,
  });
  expect(latest.metrics.map((m: { metric: string }) => m.metric)).toEqual(["current.phase_a", "voltage.phase_a"]);
  expect(trends.series[0].points[0]).toMatchObject({ avg: 30, min: 29, max: 31, count: null });
  expect(readFileSync(join(dir, "breaker-001.csv"), "utf8")).toStartWith(
    "device_id,metric,level,time,count,avg,min,max,last\r\nbreaker-001,current.phase_a,1m,",
  );
});
