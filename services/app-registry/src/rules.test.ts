/** A rule's schema (what OpenAPI shows) states the very bounds its check enforces. */
import { expect, test } from "bun:test";
import { deviceTypeList, email, integer, nonEmpty, optionalText, orNull, oneOf, text, visibleText } from "./rules";

const ok = (r: { check(v: unknown): object }, v: unknown) => "ok" in r.check(v);

test("text: lengths of the trimmed text, as minLength/maxLength say", () => {
  const rule = text(1, 20);
  expect(rule.schema).toMatchObject({ type: "string", minLength: 1, maxLength: 20 });
  expect([ok(rule, "x"), ok(rule, "x".repeat(20)), ok(rule, ` ${"x".repeat(20)} `)]).toEqual([true, true, true]);
  expect([ok(rule, ""), ok(rule, "   "), ok(rule, "x".repeat(21)), ok(rule, 1)]).toEqual([false, false, false, false]);
  expect(text(0).schema).not.toHaveProperty("minLength");
});

test("nullable rules accept null and say so; optional text turns blank into null", () => {
  expect(optionalText(50).schema).toMatchObject({ type: ["string", "null"], maxLength: 50 });
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
  expect([
    ok(email, "a@b.co"),
    ok(email, `${"a".repeat(248)}@b.com`),
    ok(email, `${"a".repeat(249)}@b.com`),
    ok(email, "a@b"),
  ]).toEqual([true, true, false, false]);
});

test("text refuses controls, format characters, separators and lone surrogates; its pattern says the same", () => {
  const rule = text(0, 100);
  const pattern = new RegExp(rule.schema.pattern as string, "u");
  const hostile = [
    "a\u0000b",
    "x\ty",
    "a\u0007",
    "a\u001bb",
    "a\u007fb",
    "a\u0085b",
    "a\u202eb",
    "a\u2066b",
    "a\u200bb",
    "a\u200db",
    "a\u00adb",
    "a\u2028b",
    "a\ud800b",
    "a\udc00",
    "a\u{e0041}b",
  ];
  for (const v of hostile) {
    expect([v, rule.check(v)]).toEqual([
      v,
      { errors: ["Must not contain control or invisible formatting characters."] },
    ]);
    expect([v, pattern.test(v)]).toEqual([v, false]);
  }
  for (const v of ["Grid Watch", "Café ünïcode 電力 😀", "a-b_c.d (e)"]) {
    expect(rule.check(v)).toEqual({ ok: v });
    expect(pattern.test(v)).toBe(true);
  }
  // Surrounding whitespace (tabs, newlines, a BOM) is trimmed away before the check.
  expect(rule.check("\t\ufeffApp\n")).toEqual({ ok: "App" });
});

test("multi-line text: line feeds and tabs inside, \\r\\n read as \\n; every other control still refused", () => {
  const rule = text(0, 100, { multiline: true });
  const pattern = new RegExp(rule.schema.pattern as string, "u");
  expect(rule.check("first line\r\n\tsecond\rthird\n")).toEqual({ ok: "first line\n\tsecond\nthird" });
  expect(pattern.test("first line\n\tsecond")).toBe(true);
  for (const v of ["a\u0000", "a\u000bb", "a\u202e", "a\u2028b"]) {
    expect("errors" in rule.check(v)).toBe(true);
    expect(pattern.test(v)).toBe(false);
  }
  expect("errors" in text(0, 100).check("two\nlines")).toBe(true);
});

test("a visible name: not only spaces, combining marks or filler letters", () => {
  const rule = visibleText(1, 100);
  for (const v of ["\u3164", "\u115f\u1160", "\u2800\u2800", "\u0301\u034f", "\ufe0f", "\u00a0\u3000\u3164", "\uffa0"])
    expect([v, rule.check(v)]).toEqual([v, { errors: ["Must contain a visible character."] }]);
  for (const v of ["\u202eevil", "a\u200b"]) expect("errors" in rule.check(v)).toBe(true);
  for (const v of ["A", "é", "\u3164A", "电"]) expect([v, "ok" in rule.check(v)]).toEqual([v, true]);
});
