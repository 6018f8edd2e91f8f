/**
 * Hostile input against a running registry (REST and RPC over h2c), once per database: hundreds
 * of requests an attacker or a careless client would send. Whatever they are: no 5xx and no
 * Internal, no write without the admin token, and no api key, admin token or contact e-mail in
 * any anonymous reply, log line or metric.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import type { Dialect } from "../support/databases";
import type { Hostile } from "./context";
import { assertNothingLeaked, startHostile } from "./context";
import { restCases } from "./rest-cases";
import { rpcCases } from "./rpc-cases";

export function hostileSuite(dialect: Dialect) {
  describe(`hostile input on ${dialect}`, () => {
    let h: Hostile;
    let before: Record<string, unknown> | undefined;
    beforeAll(async () => {
      h = await startHostile(dialect);
      [before] = await h.reg.db.query(`select * from applications where id = '${h.app.id}'`);
    });
    afterAll(() => h?.reg.close());

    test("REST: no 5xx, no anonymous write, nothing secret in any anonymous reply, log or metric", async () => {
      await restCases(h);
      await assertNothingLeaked(h, { minimum: 200 });
    }, 60_000);

    test("RPC over h2c: no Internal or 5xx, no anonymous write, nothing secret anywhere", async () => {
      h.seen.length = 0;
      await rpcCases(h);
      await assertNothingLeaked(h, { minimum: 150 });
    }, 60_000);

    test("afterwards: the registration is as it was, its key still the one the admin got; no anonymous registration exists", async () => {
      expect(before).toBeDefined();
      expect(await h.reg.db.query(`select * from applications where id = '${h.app.id}'`)).toEqual([before!]);
      expect(before?.api_key_hash).toBe(createHash("sha256").update(h.app.apiKey).digest("hex"));
      expect(await h.reg.db.query(`select name from applications where name like 'ANON%'`)).toEqual([]);
      // The registry still serves.
      expect((await fetch(`${h.reg.httpUrl}/readyz`)).status).toBe(200);
    });
  });
}
