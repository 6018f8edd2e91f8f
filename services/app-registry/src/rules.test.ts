/** A rule's schema (what OpenAPI shows) states the very bounds its check enforces. */
import { expect, test } from "bun:test";
import { deviceTypeList, email, integer, nonEmpty, optionalText, orNull, oneOf, text } from "./rules";

const ok = (r: { check(v: unknown): object }, v: unknown) => "ok" in r.check(v);

test("text: lengths of the trimmed text, as minLength/maxLength say", () => {
  const rule = text(1, 20);
  expect(rule.schema).toEqual({ type: "string", minLength: 1, maxLength: 20 });
  expect([ok(rule, "x"), ok(rule, "x".repeat(20)), ok(rule, ` ${"x".repeat(20)} `)]).toEqual([true, true, true]);
  expect([ok(rule, ""), ok(rule, "   "), ok(rule, "x".repeat(21)), ok(rule, 1)]).toEqual([false, false, false, false]);
  expect(text(0).schema).toEqual({ type: "string" });
});

test("nullable rules accept null and say so; optional text turns blank into null", () => {
  expect(optionalText(50).schema).toEqual({ type: ["string", "null"], maxLength: 50 });
  expect([optionalText(50).check(null), optionalText(50).check("  ")]).toEqual([{ ok: null }, { ok: null }]);
  expect(orNull(oneOf(["a", "b"])).schema).toEqual({ type: ["string", "null"], enum: ["a", "b", null] });
  expect([ok(orNull(oneOf(["a"])), null), ok(oneOf(["a"]), null)]).toEqual([true, false]);
});

test("integers within minimum/maximum, from numbers or digit strings", () => {
  const rule = integer(1, 1000);
  expect(rule.schema).toEqual({ type: "integer", minimum: 1, maximum: 1000 });
  expect([1, 1000, "7"].map((v) => ok(rule, v))).toEqual([true, true, true]);
  expect([0, 1001, 1.5, "-1", "1e3"].map((v) => ok(rule, v))).toEqual([false, false, false, false, false]);
});

test("device-type lists: at most maxItems distinct ids; non-empty when minItems says so", () => {
  const rule = deviceTypeList(2);
  expect(rule.schema).toMatchObject({ type: "array", maxItems: 2, items: { type: "string" } });
  expect([ok(rule, ["a", "b", "a"]), ok(rule, ["a", "b", "c"]), ok(rule, [])]).toEqual([true, false, true]);
  expect(nonEmpty(rule).schema).toMatchObject({ minItems: 1, maxItems: 2 });
  expect(ok(nonEmpty(rule), [])).toBe(false);
});

test("e-mail addresses: format email, at most 254 characters", () => {
  expect(email.schema).toEqual({ type: "string", format: "email", maxLength: 254 });
  expect([ok(email, "a@b.co"), ok(email, `${"a".repeat(248)}@b.com`), ok(email, `${"a".repeat(249)}@b.com`), ok(email, "a@b")]).toEqual([true, true, false, false]);
});
