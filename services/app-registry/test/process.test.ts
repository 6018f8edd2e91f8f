/** Starting and stopping: `bun run app-registry` as a process, config errors, failed starts, shutdown with open streams. */
import { afterAll, expect, test } from "bun:test";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { createAppRegistry } from "../src/app-registry";
import { sqliteDatabase } from "./support/databases";
import { freePort, runScript, startRegistryProcess as start } from "./support/process";
import { startTestRegistry, testConfig } from "./support/registry";
import { connectClients, within } from "./support/rpc-clients";

const db = sqliteDatabase();
afterAll(() => db.drop());

test("starts on the configured ports, serves, and exits 0 on SIGTERM", async () => {
  const [http, rpc] = [await freePort(), await freePort()];
  const service = await start({
    REGISTRY_HTTP_PORT: String(http),
    REGISTRY_RPC_PORT: String(rpc),
    REGISTRY_DB_PATH: db.config.sqlitePath,
  });
  const started = await within(10_000, service.waitFor("app registry started"), "start");
  expect(started).toMatchObject({
    http: `http://127.0.0.1:${http}`,
    rpc: `http://127.0.0.1:${rpc}`,
    database: db.config.sqlitePath,
  });
  expect((await fetch(`http://127.0.0.1:${http}/readyz`)).status).toBe(200);
  expect((await connectClients(`http://127.0.0.1:${rpc}`).grpc.listApplications({})).total).toBe(0);
  service.proc.kill("SIGTERM");
  await within(5_000, service.waitFor("stopped"), "stop");
  expect(await service.proc.exited).toBe(0);
});

test("a bad variable stops start-up with a message naming it (and never echoing a URL's password)", async () => {
  const run = await runScript("app-registry", {
    REGISTRY_RPC_PORT: "70000",
    DATABASE_URL: "mysql://admin:hunter2@db/registry",
  });
  expect(run.code).toBe(1);
  const error = run.logs.find((l) => l.level === "error")?.error as string;
  expect(error).toContain("REGISTRY_RPC_PORT: must be ≤ 65535");
  expect(error).toContain("DATABASE_URL: expected a postgres:// or postgresql:// URL");
  expect(run.stdout + run.stderr).not.toContain("hunter2");
});

test("an unreachable PostgreSQL stops start-up with exit 1", async () => {
  const run = await runScript("app-registry", {
    DATABASE_URL: `postgres://postgres@127.0.0.1:${await freePort()}/none`,
    REGISTRY_HTTP_PORT: "0",
    REGISTRY_RPC_PORT: "0",
  });
  expect(run.code).toBe(1);
  expect(run.logs.some((l) => l.msg === "app-registry failed to start")).toBe(true);
});

test("a port already in use fails start-up and releases what it had opened", async () => {
  const reg = await startTestRegistry("sqlite");
  const httpPort = await freePort();
  const deps = () => ({ log: createLogger("app-registry", { write: () => {} }), metrics: createMetrics() });
  try {
    const busy = await createAppRegistry(
      testConfig({ sqlitePath: db.config.sqlitePath, httpPort, rpcPort: Number(new URL(reg.rpcUrl).port) }),
      deps(),
    );
    expect(
      await busy.start().then(
        () => "started",
        (e) => e.code,
      ),
    ).toBe("EADDRINUSE");
    const again = await createAppRegistry(testConfig({ sqlitePath: db.config.sqlitePath, httpPort }), deps());
    await again.start();
    expect((await fetch(`http://127.0.0.1:${httpPort}/readyz`)).status).toBe(200);
    await again.stop();
  } finally {
    await reg.close();
  }
});

test("stopping with a Watch stream open ends the stream and returns promptly", async () => {
  const reg = await startTestRegistry("sqlite");
  const stream = connectClients(reg.rpcUrl).grpc.watchApplications({})[Symbol.asyncIterator]();
  expect((await within(1_000, stream.next(), "snapshot")).value.event.case).toBe("snapshot");
  const began = performance.now();
  await reg.close();
  expect(performance.now() - began).toBeLessThan(1_000);
  expect(await within(1_000, stream.next(), "end of stream")).toEqual({ done: true, value: undefined });
});
