import { expect, test } from "bun:test";
import { createCallerOf } from "./caller";

const req = (headers: Record<string, string> = {}, url = "http://localhost/") => new Request(url, { headers });

test("forwarding headers count only from a trusted proxy", () => {
  const callerOf = createCallerOf(["10.0.0.5"]);
  const forged = { "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "https" };
  expect(callerOf(req(forged), "203.0.113.9")).toEqual({
    address: "203.0.113.9",
    loopback: false,
    viaTrustedProxy: false,
    https: false,
  });
  expect(
    callerOf(req({ "x-forwarded-for": "127.0.0.1, 198.51.100.7", "x-forwarded-proto": "https" }), "::ffff:10.0.0.5"),
  ).toEqual({
    address: "198.51.100.7",
    loopback: false,
    viaTrustedProxy: true,
    https: true,
  });
});

test("loopback means straight from this machine: not through a local proxy, not without a peer", () => {
  const callerOf = createCallerOf([]);
  expect(callerOf(req(), "127.0.0.1").loopback).toBe(true);
  expect(callerOf(req(), "::1").loopback).toBe(true);
  expect(callerOf(req(), "::ffff:127.0.0.1").loopback).toBe(true);
  expect(callerOf(req({ "x-forwarded-for": "203.0.113.9" }), "127.0.0.1").loopback).toBe(false);
  expect(callerOf(req({ forwarded: "for=203.0.113.9" }), "127.0.0.1").loopback).toBe(false);
  expect(callerOf(req(), undefined)).toMatchObject({ loopback: false, address: "unknown" });
  expect(callerOf(req({}, "https://dash.example/"), "203.0.113.9").https).toBe(true);
});
