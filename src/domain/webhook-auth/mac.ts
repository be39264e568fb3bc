/** HMAC-SHA256, constant-time comparison and replay fingerprints shared by the signed modes. */
import crypto from "node:crypto";

/** HMAC-SHA256 over the concatenation of `parts` (strings as UTF-8), without copying the body. */
export function hmacSha256(key: string | Buffer, ...parts: (string | Buffer)[]): Buffer {
  const hmac = crypto.createHmac("sha256", key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}

/** Constant-time equality of two MACs; different lengths are simply unequal. */
export function macEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

function sha256Hex(data: string | Buffer): string {
  return crypto.createHash("sha256").update(data).digest("hex");
}

/** The accepted MAC, hashed: a stored fingerprint cannot be replayed by someone who reads the table. */
export const signatureFingerprint = (mac: Buffer) => `sig:${sha256Hex(mac)}`;

/** The sender's delivery id, hashed so that stored rows have a bounded size whatever the sender chose. */
export const deliveryFingerprint = (id: string) => `id:${sha256Hex(id)}`;

/** 64 hex digits, either case. Checked before decoding because `Buffer.from(x, "hex")` silently truncates. */
export const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
