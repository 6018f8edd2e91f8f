import { expect, test } from "bun:test";
import { createRing } from "./ring";

test("keeps the newest items, newest first, and never grows past its capacity", () => {
  const ring = createRing<number>(3);
  expect(ring.newest()).toEqual([]);
  for (let i = 1; i <= 5; i++) ring.push(i);
  expect(ring.size).toBe(3);
  expect(ring.newest()).toEqual([5, 4, 3]);
  expect(ring.newest(2)).toEqual([5, 4]);
});
