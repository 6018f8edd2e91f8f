import { expect, test } from "bun:test";
import { createSeries } from "./series";

test("keeps the newest points per field, aligned with their times", () => {
  const s = createSeries(3);
  s.add(1, [["v.a", 1]]);
  s.add(2, [
    ["v.a", 2],
    ["t.value", 20],
  ]);
  s.add(3, [["v.a", 3]]);
  s.add(4, [
    ["v.a", 4],
    ["t.value", 40],
  ]);
  expect(s.times()).toEqual([2, 3, 4]);
  expect(s.column("v.a")).toEqual([2, 3, 4]);
  expect(s.column("t.value")).toEqual([20, null, 40]);
  expect(s.column("unknown")).toEqual([null, null, null]);
  expect(s.fields()).toEqual(["v.a", "t.value"]);
});

test("ignores a point that is not newer than the last (a redelivered record)", () => {
  const s = createSeries(5);
  s.add(10, [["x", 1]]);
  s.add(10, [["x", 99]]);
  s.add(5, [["x", 98]]);
  expect(s.times()).toEqual([10]);
  expect(s.column("x")).toEqual([1]);
});

test("a cleared series starts over and lists only fields it has values for", () => {
  const s = createSeries(3);
  s.add(10, [
    ["a", 1],
    ["b", 2],
  ]);
  s.clear();
  expect(s.times()).toEqual([]);
  s.add(5, [["b", 3]]);
  expect(s.fields()).toEqual(["b"]);
  expect(s.column("b")).toEqual([3]);
});
