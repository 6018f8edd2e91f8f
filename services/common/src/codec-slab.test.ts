import { expect, test } from "bun:test";
import { createSlabAllocator } from "./codec/slab";

test("record buffers cut from shared slabs never overlap, across slab boundaries and for oversize records", () => {
  const alloc = createSlabAllocator(1_024);
  const sizes = [100, 300, 200, 256, 257, 1, 400, 90, 1_000, 255];
  const buffers = sizes.map((n, i) => alloc(n).fill(i));
  expect(buffers.map((b) => b.byteLength)).toEqual(sizes);
  buffers.forEach((b, i) => expect(b.every((x) => x === i)).toBe(true));
});
