/**
 * Device tokens: 256 random bits (base64url), shown once; only SHA-256 hex is stored and sent to
 * ingest gateways. A fast unsalted hash is enough here because the token is high-entropy random
 * (no dictionary to try, 2^256 guesses); salting and slow hashes protect low-entropy passwords.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export { newApiKey as newDeviceToken } from "../api-key";

export const tokenSha256 = (token: string) => createHash("sha256").update(token).digest("hex");

/** Whether a presented token matches a stored hash, in time independent of where they differ. */
export function tokenMatches(token: string, storedSha256: string): boolean {
  const expected = Buffer.from(storedSha256, "hex");
  const actual = createHash("sha256").update(token).digest();
  return expected.length === actual.length && timingSafeEqual(actual, expected);
}
