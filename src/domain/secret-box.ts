/**
 * AES-256-GCM encryption of secrets at rest with the server key. The stored form is
 * `v1.<iv b64url>.<tag b64url>.<ciphertext b64url>`: self-describing, so the scheme can change.
 */
import crypto from "node:crypto";

export interface SecretBox {
  encrypt(plaintext: string): string;
  decrypt(stored: string): string;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("The server key must be 32 bytes");
  return {
    encrypt(plaintext) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv("aes-256-gcm", key, iv);
      const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return ["v1", iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === "string" ? p : p.toString("base64url"))).join(".");
    },
    decrypt(stored) {
      const [version, iv, tag, ciphertext] = stored.split(".");
      if (version !== "v1" || !iv || !tag || ciphertext === undefined) throw new Error("Unknown secret format");
      const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
    },
  };
}

/** Turns ROUTINED_SECRET_KEY into 32 key bytes: 64 hex chars or 32 base64 bytes as is, else SHA-256 of it. */
export function keyFromString(value: string): Buffer {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  const b64 = Buffer.from(value, "base64");
  if (b64.length === 32 && /^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return b64;
  return crypto.createHash("sha256").update(value, "utf8").digest();
}
