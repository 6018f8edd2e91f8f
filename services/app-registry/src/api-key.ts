import { createHash, randomBytes } from "node:crypto";

/** 256 random bits; shown to the client once. */
export const newApiKey = () => randomBytes(32).toString("base64url");

/** Only this is stored: a leaked database does not leak usable keys. */
export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** A Standard Webhooks signing secret: `whsec_` + base64 of 24 random bytes (the key is the decoded part). */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString("base64")}`;
