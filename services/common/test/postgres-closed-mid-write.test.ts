/**
 * postgres-js as patched (patches/postgres@3.4.9.patch), against the real PostgreSQL: a pooled
 * connection whose socket closes while a query's write is still waiting for its flush rejects that
 * query and then serves the next one. Unpatched, 3.4.9 keeps the cancelled flush timer, so every
 * later start-up message on that pool slot is never sent and each use ends in CONNECT_TIMEOUT —
 * what the history faults test saw as reads failing for good after PostgreSQL came back.
 */
import { afterAll, expect, test } from "bun:test";
import net from "node:net";
import postgres from "postgres";
import { TEST_DATABASE_URL } from "../../app-registry/test/support/databases";

const target = new URL(TEST_DATABASE_URL);
let socket: net.Socket | undefined;
// One slot, so the next query must reuse the connection whose socket closed. `socket` (a connected
// socket of our own, to close at the chosen moment) is an option postgres-js reads but does not type.
const options = {
  max: 1,
  connect_timeout: 5,
  onnotice: () => {},
  socket: () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(Number(target.port || 5432), target.hostname, () => resolve(s));
      s.once("error", reject);
      socket = s;
    }),
};
const sql = postgres(TEST_DATABASE_URL, options);
afterAll(() => sql.end({ timeout: 1 }));

test("a connection closed with a write pending rejects that query, then serves the next one", async () => {
  expect([...(await sql`select 1 as x`)]).toEqual([{ x: 1 }]);
  const pending = sql`select 2 as x`;
  pending.execute(); // its bytes wait for the next turn of the event loop…
  socket!.destroy(); // …and the socket closes before that turn
  expect(await pending.catch((e: { code?: string }) => e.code)).toBe("CONNECTION_CLOSED");
  expect([...(await sql`select 3 as x`)]).toEqual([{ x: 3 }]);
});
