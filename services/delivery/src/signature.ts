/**
 * Standard Webhooks signing (standardwebhooks.com): the signed content is `{id}.{timestamp}.{body}`,
 * HMAC-SHA256 keyed with the base64-decoded part of the `whsec_` secret, sent as
 * `webhook-signature: v1,<base64>`. Receivers verify with any Standard Webhooks library.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const WEBHOOK_HEADER = {
  id: "webhook-id",
  timestamp: "webhook-timestamp",
  signature: "webhook-signature",
} as const;

const keyOf = (secret: string) => Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64");

export function sign(secret: string, id: string, timestampSeconds: number, body: string | Uint8Array): string {
  const hmac = createHmac("sha256", keyOf(secret)).update(`${id}.${timestampSeconds}.`);
  return `v1,${hmac.update(body).digest("base64")}`;
}

/** The three headers of one signed request. */
export function signedHeaders(
  secret: string,
  id: string,
  body: string | Uint8Array,
  nowMs: number,
): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    [WEBHOOK_HEADER.id]: id,
    [WEBHOOK_HEADER.timestamp]: String(timestamp),
    [WEBHOOK_HEADER.signature]: sign(secret, id, timestamp, body),
  };
}

/** What a receiver does (used by tests and the bench): any of the space-separated `v1,` signatures matches, within the tolerance. */
export function verify(
  secret: string,
  headers: Headers,
  body: string,
  nowMs = Date.now(),
  toleranceSeconds = 300,
): boolean {
  const id = headers.get(WEBHOOK_HEADER.id);
  const ts = Number(headers.get(WEBHOOK_HEADER.timestamp));
  const given = headers.get(WEBHOOK_HEADER.signature);
  if (!id || !Number.isInteger(ts) || !given || Math.abs(nowMs / 1000 - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(sign(secret, id, ts, body));
  return given.split(" ").some((s) => s.length === expected.length && timingSafeEqual(Buffer.from(s), expected));
}
