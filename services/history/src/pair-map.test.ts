import { expect, test } from "bun:test";
import { createPairMap } from "./pair-map";

test("a pair set after a miss on its first key, or after a clear, is found; other first keys are not confused", () => {
  const map = createPairMap<string | undefined, number>();
  expect(map.get("a", "x")).toBeUndefined();
  map.set("a", "x", 1);
  map.set("a", "y", 2);
  expect(map.get("a", "x")).toBe(1);
  expect(map.get("b", "x")).toBeUndefined();
  map.set(undefined, "x", 3);
  expect([map.get("a", "y"), map.get(undefined, "x"), map.get("b", "y"), map.size]).toEqual([2, 3, undefined, 3]);
  map.clear();
  expect([map.get("a", "x"), map.size]).toEqual([undefined, 0]);
  map.set("a", "x", 4);
  expect(map.get("a", "x")).toBe(4);
});
