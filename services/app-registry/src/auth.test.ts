import { describe, expect, test } from "bun:test";
import { createAdminCheck, createWriteGuard } from "./auth";
import { PermissionDeniedError, UnauthenticatedError } from "./errors";

describe("with no admin token", () => {
  const guard = createWriteGuard(undefined);
  test("loopback callers may write; remote or unknown callers may not, whatever they send", () => {
    expect(() => guard({ authorization: null, remoteAddress: "127.0.0.1" })).not.toThrow();
    expect(() => guard({ authorization: "Bearer x", remoteAddress: "192.0.2.2" })).toThrow(PermissionDeniedError);
    expect(() => guard({ authorization: null, remoteAddress: undefined })).toThrow(PermissionDeniedError);
  });
});

describe("with an admin token", () => {
  const guard = createWriteGuard("s3cret-token");
  test("the right bearer token writes from anywhere", () => {
    expect(() => guard({ authorization: "Bearer s3cret-token", remoteAddress: "192.0.2.2" })).not.toThrow();
    expect(() => guard({ authorization: "bearer s3cret-token", remoteAddress: undefined })).not.toThrow();
  });
  test("no usable credentials → Unauthenticated, even from loopback", () => {
    for (const authorization of [null, undefined, "", "s3cret-token", "Basic czNjcmV0", "Bearer", "Bearer a b"])
      expect(() => guard({ authorization, remoteAddress: "127.0.0.1" })).toThrow(UnauthenticatedError);
  });
  test("a wrong token → PermissionDenied", () => {
    for (const token of ["s3cret-tokeN", "s3cret-token2", "s3cret", "x".repeat(1000)])
      expect(() => guard({ authorization: `Bearer ${token}`, remoteAddress: "127.0.0.1" })).toThrow(
        PermissionDeniedError,
      );
  });
});

test("admins are exactly the callers who may write, with or without a token configured", () => {
  const open = createAdminCheck(undefined);
  expect([
    open({ authorization: null, remoteAddress: "127.0.0.1" }),
    open({ authorization: "Bearer x", remoteAddress: "192.0.2.2" }),
  ]).toEqual([true, false]);
  const locked = createAdminCheck("s3cret-token");
  expect(locked({ authorization: "Bearer s3cret-token", remoteAddress: "192.0.2.2" })).toBe(true);
  for (const authorization of [null, "Bearer wrong", "s3cret-token"])
    expect(locked({ authorization, remoteAddress: "127.0.0.1" })).toBe(false);
});
