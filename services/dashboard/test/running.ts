/** A dashboard listening on a free loopback port, on its own in-process bus, for tests over real HTTP. */
import { createInProcessBus } from "@iot/common/bus-config";
import type { Logger } from "@iot/common/logger";
import { createMetrics } from "@iot/common/metrics";
import { quietLogger } from "@iot/common/testing";
import { createDashboard } from "../src/dashboard";
import { testConfig } from "./fixtures";

export async function startDashboard(env: Record<string, string> = {}, log: Logger = quietLogger()) {
  const config = testConfig(env);
  const bus = createInProcessBus(config.bus, log);
  await bus.start();
  const dashboard = createDashboard(config, { bus, log, metrics: createMetrics() });
  await dashboard.start();
  const base = `http://127.0.0.1:${dashboard.app.server!.port}`;
  return {
    base,
    config,
    dashboard,
    bus,
    /** Over real HTTP, as a browser's htmx would send it unless `init` says otherwise. */
    fetch: (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { redirect: "manual", ...init }),
    async stop() {
      await dashboard.stop();
      await bus.stop();
    },
  };
}

export type RunningDashboard = Awaited<ReturnType<typeof startDashboard>>;

export const form = (fields: Record<string, string | string[]>) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) body.append(k, one);
  return body;
};

export const htmxForm = (
  method: string,
  fields: Record<string, string | string[]> | undefined,
  headers: Record<string, string> = {},
): RequestInit => ({
  method,
  headers: { "hx-request": "true", "content-type": "application/x-www-form-urlencoded", ...headers },
  body: fields ? form(fields) : undefined,
});
