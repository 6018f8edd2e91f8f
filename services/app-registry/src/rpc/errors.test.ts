/** Error mapping at the RPC edge, in memory (createRouterTransport). */
import { expect, test } from "bun:test";
import { Code, ConnectError, createClient, createRouterTransport } from "@connectrpc/connect";
import { ApplicationRegistryService } from "@gen/iot/registry/v1/registry_pb";
import { createLogger } from "@iot/common/logger";
import { createChangeFeed } from "../change-feed";
import { openSqliteRepository } from "../db/sqlite-repository";
import { createRegistry } from "../registry";
import { errorInterceptor } from "./errors";
import { registryService } from "./registry-service";

function client(overrides: Partial<ReturnType<typeof createRegistry>> = {}) {
  const registry = {
    ...createRegistry({ repo: openSqliteRepository(":memory:"), feed: createChangeFeed(() => {}) }),
    ...overrides,
  };
  const lines: string[] = [];
  const counted: string[] = [];
  const log = createLogger("app-registry", { write: (l) => lines.push(l) });
  const transport = createRouterTransport(registryService(registry), {
    router: { interceptors: [errorInterceptor(log, (procedure, code) => counted.push(`${procedure} ${code}`))] },
  });
  return { api: createClient(ApplicationRegistryService, transport), lines, counted };
}
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: ConnectError) => ({ code: Code[e.code], message: e.rawMessage }),
  );

test("domain errors become their codes; outcomes are counted per procedure", async () => {
  const { api, counted } = client();
  expect(await failure(api.getApplication({ id: "none" }))).toEqual({
    code: "NotFound",
    message: "Application not found",
  });
  expect(
    (
      await failure(
        api.registerApplication({ name: "", developer: "d", version: "1", contactEmail: "a@b.co", deviceTypes: ["X"] }),
      )
    )?.code,
  ).toBe("InvalidArgument");
  await api.registerApplication({ name: "n", developer: "d", version: "1", contactEmail: "a@b.co" });
  expect(
    await failure(api.registerApplication({ name: "N", developer: "d", version: "1", contactEmail: "a@b.co" })),
  ).toEqual({
    code: "AlreadyExists",
    message: "Application with this name already exists",
  });
  expect(counted).toEqual([
    "GetApplication NotFound",
    "RegisterApplication InvalidArgument",
    "RegisterApplication OK",
    "RegisterApplication AlreadyExists",
  ]);
});

test("an unexpected failure is Internal with no internals; the log keeps the cause", async () => {
  const boom = async () =>
    Promise.reject(new Error("wrapper with params", { cause: new Error("connection reset by db-7") }));
  const { api, lines } = client({ list: boom });
  expect(await failure(api.listApplications({}))).toEqual({ code: "Internal", message: "Internal error" });
  expect(lines.join("")).toContain("connection reset by db-7");
  expect(lines.join("")).not.toContain("wrapper with params");
});

test("a stream that fails mid-way is mapped too", async () => {
  const { api } = client({
    watch: async function* () {
      yield { type: "snapshot" as const, applications: [] };
      throw new Error("lost the feed");
    },
  });
  const events: string[] = [];
  const ended = await (async () => {
    for await (const e of api.watchApplications({})) events.push(e.event.case ?? "");
  })().then(
    () => "done",
    (e: ConnectError) => Code[e.code],
  );
  expect([events, ended]).toEqual([["snapshot"], "Internal"]);
});
