/** Credentials routined issues: random, shown once, stored as SHA-256 hashes. */
import crypto from "node:crypto";

export const AGENT_KEY_PREFIX = "rtd_ak_";
export const BOARD_TOKEN_PREFIX = "rtd_bt_";

export function generateToken(prefix: string): string {
  return prefix + crypto.randomBytes(32).toString("base64url");
}

/** Keys are 256-bit random, so an unsalted fast hash is as strong as the key itself. */
export function hashToken(token: string): string {
  return crypto.createHash("sha256").update(token, "utf8").digest("hex");
}

/** What may be shown of a key after creation: enough to tell keys apart, useless to an attacker. */
export function displayPrefix(token: string): string {
  return token.slice(0, 12);
}

/** Constant-time comparison of two strings of any length. */
export function safeEqual(a: string, b: string): boolean {
  const ha = crypto.createHash("sha256").update(a, "utf8").digest();
  const hb = crypto.createHash("sha256").update(b, "utf8").digest();
  return crypto.timingSafeEqual(ha, hb);
}
