/** Secrets and public ids of webhook triggers: random, 192 bits of secret, shown to the user once. */
import crypto from "node:crypto";
import type { SigningMode } from "../enums";
import { SECRET_PREFIX } from "./standard-webhooks";

const SECRET_BYTES = 24;

/** How a mode's secret looks: `whsec_<base64>` for Standard Webhooks, 48 lowercase hex (Paperclip's) for the others. */
export type SecretFormat = "whsec" | "hex";
export const secretFormat = (mode: SigningMode): SecretFormat => (mode === "standard_webhooks" ? "whsec" : "hex");
export const SECRET_FORMAT_NAMES: Record<SecretFormat, string> = { whsec: "a whsec_ secret", hex: "a 48-hex-character secret" };

export function generateWebhookSecret(mode: SigningMode): string {
  const bytes = crypto.randomBytes(SECRET_BYTES);
  return secretFormat(mode) === "whsec" ? SECRET_PREFIX + bytes.toString("base64") : bytes.toString("hex");
}

/** The trigger's id in its public URL: 24 lowercase hex. */
export function generatePublicId(): string {
  return crypto.randomBytes(12).toString("hex");
}

export const PUBLIC_ID = /^[0-9a-f]{24}$/;
