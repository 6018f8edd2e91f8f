import { expect, test } from "bun:test";
import { newDeviceToken, tokenMatches, tokenSha256 } from "./device-token";

test("tokens are 256-bit base64url, unique; the stored form is SHA-256 hex; matching is exact", () => {
  const a = newDeviceToken();
  expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(newDeviceToken()).not.toBe(a);
  const stored = tokenSha256(a);
  expect(stored).toMatch(/^[0-9a-f]{64}$/);
  expect(tokenMatches(a, stored)).toBe(true);
  expect(tokenMatches(`${a}x`, stored)).toBe(false);
  expect(tokenMatches(a, "not hex")).toBe(false);
  expect(tokenMatches(a, "")).toBe(false);
});
