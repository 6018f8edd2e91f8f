/** `bun run registry:seed`: the five example apps, idempotently, through the API or into the database. */
import { afterAll, describe, expect, test } from "bun:test";
import { ChangeType } from "@gen/iot/registry/v1/registry_pb";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { createAppRegistry } from "../src/app-registry";
import { EXAMPLE_APPLICATIONS } from "../src/examples";
import type { TestDatabase } from "./support/databases";
import { postgresDatabase, sqliteDatabase } from "./support/databases";
import { freePort, runScript } from "./support/process";
import { startTestRegistry, testConfig } from "./support/registry";
import { connectClients, within } from "./support/rpc-clients";

const NAMES = EXAMPLE_APPLICATIONS.map((a) => a.name);
const outcomesOf = (run: Awaited<ReturnType<typeof runScript>>) =>
  run.logs.find((l) => l.msg === "example applications seeded")?.outcomes;
const every = (outcome: string) => Object.fromEntries(NAMES.map((n) => [n, outcome]));

describe.each([["sqlite"], ["postgres"]] as const)("straight into %s when no registry is running", (dialect) => {
  let db: TestDatabase;
  afterAll(() => db?.drop());

  test("creates the five examples once; a second run changes nothing", async () => {
    db = dialect === "postgres" ? await postgresDatabase() : sqliteDatabase();
    const env = {
      REGISTRY_HTTP_PORT: String(await freePort()),
      REGISTRY_DB_PATH: db.config.sqlitePath,
      DATABASE_URL: db.config.databaseUrl ?? "",
    };
    const first = await runScript("registry:seed", env);
    expect(first.code).toBe(0);
    expect(outcomesOf(first)).toEqual(every("created"));
    const second = await runScript("registry:seed", env);
    expect(second.code).toBe(0);
    expect(outcomesOf(second)).toEqual(every("exists"));
    const rows = await db.query("select name, status from applications order by name");
    expect(rows.map((r) => r.name)).toEqual([...NAMES].sort());
    expect(rows.every((r) => r.status === "active")).toBe(true);
  });
});

test("through the API of a running registry, so its Watch streams see each registration", async () => {
  const reg = await startTestRegistry("sqlite");
  const stop = new AbortController();
  try {
    const stream = connectClients(reg.rpcUrl)
      .grpc.watchApplications({}, { signal: stop.signal })
      [Symbol.asyncIterator]();
    expect((await within(1_000, stream.next(), "snapshot")).value.event.case).toBe("snapshot");
    const env = { REGISTRY_HTTP_PORT: new URL(reg.httpUrl).port, REGISTRY_DB_PATH: "/nonexistent/never-opened.db" };
    const run = await runScript("registry:seed", env);
    expect(run.code).toBe(0);
    expect(outcomesOf(run)).toEqual(every("created"));
    for (const name of NAMES) {
      const change = (await within(1_000, stream.next(), name)).value.event.value;
      expect([change.type, change.application.name]).toEqual([ChangeType.CREATED, name]);
    }
    expect(outcomesOf(await runScript("registry:seed", env))).toEqual(every("exists"));
  } finally {
    stop.abort();
    await reg.close();
  }
});

test("a failed seed says why and exits 1", async () => {
  const run = await runScript("registry:seed", { REGISTRY_HTTP_PORT: "not-a-port" });
  expect(run.code).toBe(1);
  expect(run.logs.find((l) => l.msg === "seed failed")?.error).toContain("REGISTRY_HTTP_PORT");
});

test("REGISTRY_SEED_EXAMPLES=first-run seeds an empty registry at start, and only an empty one", async () => {
  const db = sqliteDatabase();
  const run = async (seedExamples: "never" | "first-run", then: (api: string) => Promise<void>) => {
    const registry = await createAppRegistry(testConfig({ ...db.config, seedExamples }), {
      log: quietLogger(),
      metrics: createMetrics(),
    });
    await registry.start();
    try {
      await then(registry.urls()["App Registry"]!);
    } finally {
      await registry.stop();
    }
  };
  const names = async (api: string) =>
    ((await (await fetch(`${api}/api/applications`)).json()) as { applications: Array<{ name: string }> }).applications
      .map((a) => a.name)
      .sort();
  try {
    await run("never", async (api) => expect(await names(api)).toEqual([]));
    await run("first-run", async (api) => {
      expect(await names(api)).toEqual([...NAMES].sort());
      const id = (await (await fetch(`${api}/api/applications?limit=1`)).json()).applications[0].id;
      expect(
        (
          await fetch(`${api}/api/applications/${id}`, {
            method: "DELETE",
            headers: { "content-type": "application/json" },
          })
        ).status,
      ).toBe(200);
    });
    await run("first-run", async (api) => expect((await names(api)).length).toBe(NAMES.length - 1));
  } finally {
    await db.drop();
  }
});
