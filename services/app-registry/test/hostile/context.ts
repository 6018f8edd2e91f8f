/**
 * The hostile-input run's bookkeeping: a registry with an admin token on one database, the
 * secrets an attacker must never see (api key, admin token, contact e-mail), every reply
 * collected with who sent it, and the assertions over all of them.
 */
import { expect } from "bun:test";
import type { Dialect } from "../support/databases";
import type { TestRegistry } from "../support/registry";
import { registration, startTestRegistry } from "../support/registry";

export const ADMIN_TOKEN = "hostile-suite-admin-token-5e1f0c2d";
export const EMAIL = "pii-owner@private.example";

export interface Seen {
  /** What was sent, for the failure message. */
  what: string;
  /** HTTP status (for gRPC, 200 with the status below). */
  status: number;
  /** gRPC / Connect code name, when the reply carried one. */
  code?: string;
  /** Everything the client received: headers, body, trailers or error message. */
  text: string;
  anonymous: boolean;
}

export interface Hostile {
  reg: TestRegistry;
  /** The seeded application (its id, and its api key, which only the admin saw once). */
  app: { id: string; apiKey: string };
  record(seen: Seen): void;
  seen: Seen[];
}

export async function startHostile(dialect: Dialect): Promise<Hostile> {
  const reg = await startTestRegistry(dialect, { adminToken: ADMIN_TOKEN });
  const res = await fetch(`${reg.httpUrl}/api/applications`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(registration({ contact_email: EMAIL, devicetypes: ["smart_meter", "smart_breaker"] })),
  });
  const { application } = await res.json();
  const seen: Seen[] = [];
  return { reg, app: { id: application.id, apiKey: application.api_key }, seen, record: (s) => seen.push(s) };
}

/** Codes that mean the server failed, not the request. */
const SERVER_FAULTS = new Set(["Internal", "Unknown", "DataLoss", "internal", "unknown", "data_loss"]);

export async function assertNothingLeaked(h: Hostile, { minimum }: { minimum: number }) {
  const { seen, app, reg } = h;
  expect(seen.length).toBeGreaterThanOrEqual(minimum);
  const faults = seen.filter((s) => s.status >= 500 || (s.code !== undefined && SERVER_FAULTS.has(s.code)));
  expect(faults.map((s) => `${s.what} → ${s.status} ${s.code ?? ""}`)).toEqual([]);
  const secrets = [app.apiKey, ADMIN_TOKEN, EMAIL];
  const leaks = seen.filter((s) => s.anonymous && secrets.some((secret) => s.text.includes(secret)));
  expect(leaks.map((s) => s.what)).toEqual([]);
  const metrics = await (await fetch(`${reg.httpUrl}/metrics`)).text();
  const logs = reg.logs.join("\n");
  for (const secret of secrets) {
    expect(metrics).not.toContain(secret);
    expect(logs).not.toContain(secret);
  }
}
