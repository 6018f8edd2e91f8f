/**
 * `--provision`: registers the fleet's devices with the App Registry through its REST bulk import,
 * so ingest will accept them. Idempotent: devices already registered as the fleet would register
 * them are `unchanged`, so every start can do it. A device registered differently (say, disabled
 * from the dashboard) is left as it is and reported.
 */
import type { Logger } from "@iot/common/logger";

/** The registry's limit per import (POST /api/devices/bulk). */
const ROWS_PER_REQUEST = 10_000;
const REQUEST_TIMEOUT_MS = 60_000;

export interface ProvisionDeps {
  registryUrl: string;
  adminToken?: string;
  log: Logger;
}

interface ImportReply {
  created: number;
  unchanged: number;
  error: number;
  results: { device_id: string; outcome: "created" | "unchanged" | "error"; error?: string; token?: string }[];
}

/**
 * Returns the tokens of the devices created now (a token is shown once; devices that already
 * existed keep theirs, which the simulator does not know). Throws when the registry refuses or
 * cannot be reached.
 */
export async function provisionFleet(
  devices: { deviceId: string; deviceType: string }[],
  { registryUrl, adminToken, log }: ProvisionDeps,
): Promise<Map<string, string>> {
  const tokens = new Map<string, string>();
  const tally = { created: 0, unchanged: 0, error: 0 };
  const problems: string[] = [];
  for (let i = 0; i < devices.length; i += ROWS_PER_REQUEST) {
    const rows = devices
      .slice(i, i + ROWS_PER_REQUEST)
      .map((d) => ({ device_id: d.deviceId, device_type: d.deviceType, labels: { source: "simulator" } }));
    const res = await fetch(new URL("/api/devices/bulk", registryUrl), {
      method: "POST",
      headers: { "content-type": "application/json", ...(adminToken ? { authorization: `Bearer ${adminToken}` } : {}) },
      body: JSON.stringify(rows),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.status !== 200)
      throw new Error(
        `the registry at ${registryUrl} refused to provision devices: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`,
      );
    const reply = (await res.json()) as ImportReply;
    for (const r of reply.results) {
      if (r.outcome === "created" && r.token) tokens.set(r.device_id, r.token);
      if (r.outcome === "error" && problems.length < 5) problems.push(`${r.device_id}: ${r.error}`);
    }
    tally.created += reply.created;
    tally.unchanged += reply.unchanged;
    tally.error += reply.error;
  }
  log.info("fleet provisioned", { registry: registryUrl, ...tally });
  if (tally.error > 0)
    log.warn("some devices are registered differently and were left as they are", {
      count: tally.error,
      first: problems,
    });
  return tokens;
}
