import { expect, test } from "bun:test";
import { createLayouts } from "./layouts";
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

test("reads back every value exactly as written, whatever its decimals", () => {
  const written = [120, 119.55, 0.1, 0.932, 14512.37, -3.5, 1e-7, 123456789.123, 2 ** 40, 0.30000000000000004, -0, 5e9];
  const s = createSeries(written.length);
  written.forEach((v, i) => s.add(i, [["x", v], ...(i % 2 === 0 ? ([["y", v]] as Array<[string, number]>) : [])]));
  expect(s.column("x")).toEqual(written);
  expect(s.column("y")).toEqual(written.map((v, i) => (i % 2 === 0 ? v : null)));
  expect(Object.is(s.column("x")[10], -0)).toBe(true);
});

test("series that share layouts keep their own values, also when reused for other fields", () => {
  const layouts = createLayouts();
  const [a, b] = [createSeries(2, layouts), createSeries(2, layouts)];
  a.add(1, [
    ["v.a", 1],
    ["v.b", 2],
  ]);
  b.add(1, [["v.b", 3]]);
  b.add(2, [
    ["v.a", 4],
    ["v.b", 5],
  ]);
  expect([a.fields(), a.column("v.a"), a.column("v.b")]).toEqual([["v.a", "v.b"], [1], [2]]);
  expect([b.fields(), b.column("v.a"), b.column("v.b")]).toEqual([
    ["v.b", "v.a"],
    [null, 4],
    [3, 5],
  ]);
  a.clear();
  a.add(5, [["t.value", 0.5]]);
  expect([a.fields(), a.times(), a.column("t.value"), a.column("v.a")]).toEqual([["t.value"], [5], [0.5], [null]]);
});
