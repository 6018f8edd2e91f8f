import { expect, test } from "bun:test";
import { fnv1a } from "./hash";

test("fnv1a is the published 32-bit FNV-1a (stable across runs and processes)", () => {
  expect(fnv1a("")).toBe(0x811c9dc5);
  expect(fnv1a("a")).toBe(0xe40c292c);
  expect(fnv1a("foobar")).toBe(0xbf9cf968);
});
