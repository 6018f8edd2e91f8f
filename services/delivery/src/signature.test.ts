import { expect, test } from "bun:test";
import { sign, signedHeaders, verify } from "./signature";

// The Standard Webhooks specification's own test vector.
const SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TS = 1614265330;
const BODY = '{"test": 2432232314}';

test("signs as the Standard Webhooks test vector says, a body given as text or as bytes", () => {
  expect(sign(SECRET, ID, TS, BODY)).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  expect(sign(SECRET, ID, TS, new TextEncoder().encode(BODY))).toBe(sign(SECRET, ID, TS, BODY));
});

test("verify accepts its own signature, among several, and refuses a changed body, another secret, or an old timestamp", () => {
  const now = Date.now();
  const h = new Headers(signedHeaders(SECRET, ID, BODY, now));
  expect(verify(SECRET, h, BODY, now)).toBe(true);
  h.set("webhook-signature", `v1,bogus ${h.get("webhook-signature")}`);
  expect(verify(SECRET, h, BODY, now)).toBe(true);
  expect(verify(SECRET, h, `${BODY} `, now)).toBe(false);
  expect(verify("whsec_QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", h, BODY, now)).toBe(false);
  expect(verify(SECRET, h, BODY, now + 10 * 60_000)).toBe(false);
});
