import { expect, test } from "bun:test";
import { createAdminAccess, isLoopback } from "./admin-access";

test("isLoopback: 127.0.0.0/8, ::1 and their IPv4-mapped forms only", () => {
  for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "::FFFF:127.0.0.2"])
    expect([a, isLoopback(a)]).toEqual([a, true]);
  for (const a of ["10.0.0.1", "192.0.2.2", "::ffff:10.0.0.1", "fe80::1", "128.0.0.1", "127.0.0.1.evil", "", undefined])
    expect([a, isLoopback(a)]).toEqual([a, false]);
});

test("with a token: missing is unauthenticated, wrong is denied, right passes from anywhere", () => {
  const access = createAdminAccess("s3cret");
  expect(access({ authorization: undefined, remoteAddress: "127.0.0.1" })?.kind).toBe("unauthenticated");
  expect(access({ authorization: "Bearer nope", remoteAddress: "127.0.0.1" })?.kind).toBe("permission_denied");
  expect(access({ authorization: "Bearer s3cret", remoteAddress: "203.0.113.9" })).toBeUndefined();
});

test("without a token: loopback only", () => {
  const access = createAdminAccess(undefined);
  expect(access({ authorization: undefined, remoteAddress: "::1" })).toBeUndefined();
  expect(access({ authorization: "Bearer anything", remoteAddress: "192.0.2.7" })?.kind).toBe("permission_denied");
});
