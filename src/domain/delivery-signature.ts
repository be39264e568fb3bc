/**
 * Signs deliveries to http agents in the Standard Webhooks format
 * (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>`,
 * where the key is the base64 part of the agent's `whsec_…` delivery secret. Any Standard
 * Webhooks library (or Svix's) verifies these deliveries as they are.
 */
import crypto from "node:crypto";

export const DELIVERY_SECRET_PREFIX = "whsec_";

/** A new delivery secret: `whsec_` + base64 of 24 random bytes (192 bits). */
export function generateDeliverySecret(): string {
  return DELIVERY_SECRET_PREFIX + crypto.randomBytes(24).toString("base64");
}

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** The three headers for `body`, sent with message id `id` at `timestamp` (a parameter: domain is pure). */
export function signDelivery(secret: string, id: string, timestamp: Date, body: string): SignedHeaders {
  const key = Buffer.from(secret.startsWith(DELIVERY_SECRET_PREFIX) ? secret.slice(DELIVERY_SECRET_PREFIX.length) : secret, "base64");
  const ts = String(Math.floor(timestamp.getTime() / 1000));
  const signature = crypto.createHmac("sha256", key).update(`${id}.${ts}.${body}`, "utf8").digest("base64");
  return { "webhook-id": id, "webhook-timestamp": ts, "webhook-signature": `v1,${signature}` };
}
