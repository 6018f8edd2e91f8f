/**
 * In one process every service reaches the others on this machine: a service's port moved with its
 * `_PORT` variable moves the URL the others call it at, unless that URL is set too.
 */
import type { Env } from "@iot/common/env";
import { localUrl } from "@iot/common/listen";

/** The URL variable → the port variable of the server it names. */
export const LOCAL_URLS: Record<string, string> = {
  REGISTRY_URL: "REGISTRY_HTTP_PORT",
  REGISTRY_RPC_URL: "REGISTRY_RPC_PORT",
  ENRICHMENT_URL: "ENRICHMENT_PORT",
  SIMULATOR_URL: "SIMULATOR_PORT",
  INGEST_URL: "INGEST_HTTP_PORT",
  DELIVERY_URL: "DELIVERY_PORT",
  ALARMS_URL: "ALARMS_PORT",
  HISTORY_URL: "HISTORY_PORT",
};

/** The URLs `env` leaves unset whose server has a fixed port set (0, a port picked at start, cannot be named). */
export function localServiceUrls(env: Env): Env {
  const host = env.BIND_HOST?.trim() || "127.0.0.1";
  const urls: Env = {};
  for (const [urlVar, portVar] of Object.entries(LOCAL_URLS)) {
    const port = env[portVar]?.trim();
    if (env[urlVar]?.trim() || !port || !/^[1-9][0-9]*$/.test(port)) continue;
    urls[urlVar] = localUrl(host, Number(port));
  }
  return urls;
}
