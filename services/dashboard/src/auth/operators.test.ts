import { expect, test } from "bun:test";
import { cheapHash } from "../../test/access";
import { parseOperators, verifyOperator } from "./operators";

test("name:hash pairs, even though an argon2 hash holds commas of its own", async () => {
  const [a, b] = [await cheapHash("alice's password"), await cheapHash("bob's password")];
  expect(a).toContain(",");
  const operators = parseOperators(`alice:${a},bob:${b}`);
  expect([...operators.keys()]).toEqual(["alice", "bob"]);
  expect(operators.get("alice")).toBe(a);
  expect(parseOperators("").size).toBe(0);
});

test("a plain password, a bad name or a repeated name is refused without echoing what was given", () => {
  expect(() => parseOperators("alice:hunter22")).toThrow("alice: expected a password hash");
  try {
    parseOperators("alice:hunter22");
  } catch (e) {
    expect((e as Error).message).not.toContain("hunter22");
  }
  expect(() => parseOperators("al ice:$argon2id$x")).toThrow("expected name:hash");
  expect(() => parseOperators("a:$argon2id$x,a:$argon2id$y")).toThrow("a given twice");
});

test("only the right password of a configured name verifies", async () => {
  const operators = parseOperators(`alice:${await cheapHash("right one")}`);
  expect(await verifyOperator(operators, "alice", "right one")).toBe(true);
  expect(await verifyOperator(operators, "alice", "wrong one")).toBe(false);
  expect(await verifyOperator(operators, "mallory", "right one")).toBe(false);
  expect(await verifyOperator(new Map(), "alice", "right one")).toBe(false);
});
