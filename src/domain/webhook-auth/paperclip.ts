/**
 * `hmac_sha256`, Paperclip compatible: `X-Paperclip-Signature: [sha256=]<hex HMAC-SHA256(secret, "<ts>." + body)>`
 * with `X-Paperclip-Timestamp` in unix seconds (or ms above 10^12), signed exactly as sent.
 */
import { readHeader } from "./headers";
import { HEX_SHA256, hmacSha256, macEqual, signatureFingerprint } from "./mac";
import { checkWindow, parseTimestamp } from "./timestamp";
import { type ModeInput, type VerifyWebhookResult, fail } from "./types";

const PREFIX = "sha256=";

export function verifyPaperclip({ secret, rawBody, headers, nowMs, replayWindowSec }: ModeInput): VerifyWebhookResult {
  const timestamp = readHeader(headers, "x-paperclip-timestamp");
  if (!timestamp.ok) return fail(timestamp.reason);
  const signature = readHeader(headers, "x-paperclip-signature");
  if (!signature.ok) return fail(signature.reason);

  const hex = signature.value.startsWith(PREFIX) ? signature.value.slice(PREFIX.length) : signature.value;
  if (!HEX_SHA256.test(hex)) return fail("malformed_header");
  const ts = parseTimestamp(timestamp.value, true);
  if (!ts.ok) return fail(ts.reason);
  const outside = checkWindow(ts.ms, nowMs, replayWindowSec);
  if (outside) return fail(outside);

  const expected = hmacSha256(secret, `${timestamp.value}.`, rawBody);
  if (!macEqual(Buffer.from(hex, "hex"), expected)) return fail("signature_mismatch");
  return { ok: true, replayFingerprints: [signatureFingerprint(expected)] };
}

/** Lowercase hex HMAC a Paperclip sender puts in `X-Paperclip-Signature` (`timestamp` is signed as written). */
export function signPaperclip(secret: string, body: Buffer | string, timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error("The timestamp must be a whole number of seconds (or ms)");
  return hmacSha256(secret, `${timestamp}.`, body).toString("hex");
}

/** Both headers of a signed Paperclip-style request. */
export function paperclipHeaders(secret: string, body: Buffer | string, timestamp: number) {
  return {
    "x-paperclip-timestamp": String(timestamp),
    "x-paperclip-signature": `${PREFIX}${signPaperclip(secret, body, timestamp)}`,
  };
}
