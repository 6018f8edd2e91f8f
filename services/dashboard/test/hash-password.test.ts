/** `bun run dashboard:hash-password`: what it prints is what DASHBOARD_OPERATORS accepts, and it verifies. */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { parseOperators, verifyOperator } from "../src/auth/operators";

const script = join(import.meta.dir, "../src/hash-password.ts");
const run = async (stdin: string, args: string[] = []) => {
  const proc = Bun.spawn(["bun", script, ...args], {
    stdin: new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return {
    code: await proc.exited,
    out: (await new Response(proc.stdout).text()).trim(),
    err: await new Response(proc.stderr).text(),
  };
};

test("a piped password becomes name:argon2id-hash, ready for DASHBOARD_OPERATORS", async () => {
  const { code, out } = await run("a fine password\n", ["alice"]);
  expect(code).toBe(0);
  expect(out).toMatch(/^alice:\$argon2id\$/);
  expect(out).not.toContain("a fine password");
  const operators = parseOperators(out);
  expect(await verifyOperator(operators, "alice", "a fine password")).toBe(true);
});

test("a short password or a bad name is refused", async () => {
  expect((await run("short\n")).code).toBe(2);
  const bad = await run("a fine password\n", ["al ice"]);
  expect(bad.code).toBe(2);
  expect(bad.err).toContain("usage");
});
