/**
 * Contact e-mails are personal data: registry reads (REST, RPC, Watch) show them only to admins —
 * holders of the admin token, or, with no token configured, loopback callers (who may write too).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TestRegistry } from "./support/registry";
import { externalAddress } from "@iot/common/testing-network";
import { registration, startTestRegistry } from "./support/registry";
import { connectClients, within } from "./support/rpc-clients";

const TOKEN = "pii-test-admin-token-0123456789";
const EMAIL = `private-${crypto.randomUUID().slice(0, 8)}@example.com`;

/** A message's fields as text (timestamps carry bigints). */
const text = (message: unknown) => JSON.stringify(message, (_, v) => (typeof v === "bigint" ? String(v) : v));

/** Every read of the registry, REST and RPC, as one caller; each returns its raw text. */
function reads(httpUrl: string, rpcUrl: string, headers: Record<string, string>) {
  const rest = (path: string, init: RequestInit = {}) =>
    fetch(httpUrl + path, { ...init, headers: { ...headers, ...init.headers } }).then((r) => r.text());
  const { connect, grpc } = connectClients(rpcUrl);
  const opts = { headers };
  return async (id: string) => {
    const watchStop = new AbortController();
    const watch = grpc.watchApplications({}, { headers, signal: watchStop.signal })[Symbol.asyncIterator]();
    const snapshot = await within(2_000, watch.next(), "watch snapshot");
    watchStop.abort();
    return [
      await rest("/api/applications"),
      await rest(`/api/applications/${id}`),
      await rest("/api/applications/by-device-type/smart_meter"),
      await rest("/api/applications/by-device-types", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"device_types":["smart_meter"]}',
      }),
      text(await connect.getApplication({ id }, opts)),
      text(await grpc.listApplications({}, opts)),
      text(await connect.listApplicationsByDeviceType({ deviceType: "smart_meter" }, opts)),
      text(await grpc.listApplicationsByDeviceTypes({ deviceTypes: ["smart_meter"] }, opts)),
      text(snapshot.value),
    ];
  };
}

describe("with an admin token", () => {
  let reg: TestRegistry;
  let id: string;
  beforeAll(async () => {
    reg = await startTestRegistry("sqlite", { adminToken: TOKEN });
    const res = await fetch(`${reg.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(registration({ contact_email: EMAIL, devicetypes: ["smart_meter"] })),
    });
    const body = await res.json();
    expect(body.application.contact_email).toBe(EMAIL);
    id = body.application.id;
  });
  afterAll(() => reg?.close());

  test("regression: an anonymous caller never sees the e-mail, in any read, REST or RPC or Watch", async () => {
    const seen = await reads(reg.httpUrl, reg.rpcUrl, {})(id);
    expect(seen.every((t) => t.includes(id))).toBe(true);
    for (const seenText of seen) expect(seenText).not.toContain(EMAIL);
    expect(JSON.parse(seen[1]!).application).not.toHaveProperty("contact_email");
    for (const wrong of ["Bearer wrong-token", "Basic eDp5"])
      for (const seenText of await reads(reg.httpUrl, reg.rpcUrl, { authorization: wrong })(id))
        expect(seenText).not.toContain(EMAIL);
  });

  test("the admin token shows it everywhere", async () => {
    for (const seenText of await reads(reg.httpUrl, reg.rpcUrl, { authorization: `Bearer ${TOKEN}` })(id))
      expect(seenText).toContain(EMAIL);
  });
});

describe("with no admin token", () => {
  let reg: TestRegistry;
  let host: string;
  let id: string;
  beforeAll(async () => {
    host = externalAddress();
    reg = await startTestRegistry("sqlite", { bindHost: "0.0.0.0", allowedHosts: [host] });
    const res = await fetch(`${reg.httpUrl}/api/applications`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(registration({ contact_email: EMAIL, devicetypes: ["smart_meter"] })),
    });
    id = (await res.json()).application.id;
  });
  afterAll(() => reg?.close());

  test("loopback callers (who may write) see it; callers from another address do not, even with a token", async () => {
    for (const seenText of await reads(reg.httpUrl, reg.rpcUrl, {})(id)) expect(seenText).toContain(EMAIL);
    const remote = reads(reg.httpUrl.replace("127.0.0.1", host), reg.rpcUrl.replace("127.0.0.1", host), {
      authorization: "Bearer anything",
    });
    const seen = await remote(id);
    expect(seen.every((t) => t.includes(id))).toBe(true);
    for (const seenText of seen) expect(seenText).not.toContain(EMAIL);
  });
});
