/** `bearer`: `Authorization: Bearer <secret>`, compared in constant time. */
import { safeEqual } from "../tokens";
import { readHeader } from "./headers";
import { type ModeInput, type VerifyWebhookResult, fail } from "./types";

const BEARER = /^Bearer +(\S+)$/i;

export function verifyBearer({ secret, headers }: ModeInput): VerifyWebhookResult {
  const auth = readHeader(headers, "authorization");
  if (!auth.ok) return fail(auth.reason);
  const token = BEARER.exec(auth.value)?.[1];
  if (token === undefined) return fail("malformed_header");
  // safeEqual compares SHA-256 digests: no length leak and no timingSafeEqual length error.
  if (!safeEqual(token, secret)) return fail("signature_mismatch");
  return { ok: true, replayFingerprints: [] };
}
