/** The Elysia app without a network: `app.handle(Request)`. */
import { expect, test } from "bun:test";
import { createLogger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { createAdminCheck, createWriteGuard } from "../auth";
import { createChangeFeed } from "../change-feed";
import { openSqliteRepository } from "../db/sqlite-repository";
import { openSqliteDeviceRepository } from "../db/sqlite-device-repository";
import { createDevices } from "../devices/devices";
import { createHostAllowList } from "../host-allow-list";
import { createRegistry } from "../registry";
import { createHttpApp } from "./app";

const access = (adminToken?: string) => ({
  guard: createWriteGuard(adminToken),
  isAdmin: createAdminCheck(adminToken),
  hosts: createHostAllowList([]),
});
// Device routes are mounted but unused here: a repository that is never queried needs no tables.
const devices = createDevices({
  repo: openSqliteDeviceRepository(":memory:"),
  feed: createChangeFeed(() => {}),
  knownType: () => true,
});

function app(adminToken?: string) {
  const registry = createRegistry({ repo: openSqliteRepository(":memory:"), feed: createChangeFeed(() => {}) });
  const log = createLogger("app-registry", { write: () => {} });
  return createHttpApp({
    ...access(adminToken),
    registry,
    devices,
    deviceTypes: () => [],
    log,
    metrics: createMetrics(),
  });
}
const post = (body: unknown, headers: Record<string, string> = {}) =>
  new Request("http://localhost/api/applications", {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
const body = { name: "A", version: "1", developer: "d", contact_email: "a@b.co" };

test("with no token, a caller whose address is unknown is treated as remote: 403", async () => {
  const res = await app().handle(post(body));
  expect(res.status).toBe(403);
});

test("with a token, the bearer header decides, whatever the address", async () => {
  const withToken = app("t0ken");
  expect((await withToken.handle(post(body))).status).toBe(401);
  expect((await withToken.handle(post(body, { authorization: "Bearer t0ken" }))).status).toBe(201);
});

test("an unexpected failure is a bare 500 with no internals", async () => {
  const registry = createRegistry({ repo: openSqliteRepository(":memory:"), feed: createChangeFeed(() => {}) });
  const lines: string[] = [];
  const broken = { ...registry, list: async () => Promise.reject(new Error("disk on fire at /var/lib/secret")) };
  const log = createLogger("app-registry", { write: (l) => lines.push(l) });
  const http = createHttpApp({
    ...access(),
    registry: broken,
    devices,
    deviceTypes: () => [],
    log,
    metrics: createMetrics(),
  });
  const res = await http.handle(new Request("http://localhost/api/applications"));
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ error: "Internal server error" });
  expect(lines.join("")).toContain("disk on fire");
});
