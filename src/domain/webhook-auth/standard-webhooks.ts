/**
 * `standard_webhooks` (https://www.standardwebhooks.com): `webhook-signature` is a space-separated list of
 * `v1,<base64 HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>." + body)>`; the key is the base64 after
 * `whsec_` in the secret. Any matching v1 entry authenticates.
 */
import { DELIVERY_ID, readHeader } from "./headers";
import { deliveryFingerprint, hmacSha256, macEqual, signatureFingerprint } from "./mac";
import { checkWindow, parseTimestamp } from "./timestamp";
import { type ModeInput, type VerifyWebhookResult, fail } from "./types";

export const SECRET_PREFIX = "whsec_";
/** Padded base64, checked before decoding because `Buffer.from(x, "base64")` skips what it does not understand. */
const STRICT_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A v1 entry: exactly the 44 canonical-length base64 characters of a 32-byte MAC. */
const V1_ENTRY = /^v1,([A-Za-z0-9+/]{43}=)$/;

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
export function standardWebhooksKey(secret: string): Buffer | null {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  return b64 !== "" && STRICT_BASE64.test(b64) ? Buffer.from(b64, "base64") : null;
}

export function verifyStandardWebhooks(input: ModeInput): VerifyWebhookResult {
  const { rawBody, headers, nowMs, replayWindowSec } = input;
  const key = standardWebhooksKey(input.secret);
  if (!key) return fail("unusable_secret");
  const id = readHeader(headers, "webhook-id");
  if (!id.ok) return fail(id.reason);
  const timestamp = readHeader(headers, "webhook-timestamp");
  if (!timestamp.ok) return fail(timestamp.reason);
  const signatures = readHeader(headers, "webhook-signature");
  if (!signatures.ok) return fail(signatures.reason);

  // Printable ASCII without spaces keeps "<id>.<ts>." unambiguous enough and the fingerprint input bounded.
  if (!DELIVERY_ID.test(id.value)) return fail("malformed_header");
  const ts = parseTimestamp(timestamp.value, false);
  if (!ts.ok) return fail(ts.reason);
  const outside = checkWindow(ts.ms, nowMs, replayWindowSec);
  if (outside) return fail(outside);

  const expected = hmacSha256(key, `${id.value}.${timestamp.value}.`, rawBody);
  // Compared as canonical base64 text: a non-canonical encoding of the right bytes is not accepted.
  const expectedText = Buffer.from(expected.toString("base64"), "latin1");
  let matched = false;
  for (const entry of signatures.value.split(" ")) {
    const b64 = V1_ENTRY.exec(entry)?.[1];
    if (b64 !== undefined && macEqual(Buffer.from(b64, "latin1"), expectedText)) matched = true;
  }
  if (!matched) return fail("signature_mismatch");
  return { ok: true, replayFingerprints: [deliveryFingerprint(id.value), signatureFingerprint(expected)] };
}

/** One `v1,<base64>` signature entry, as the reference libraries' `sign()` returns it. */
export function signStandardWebhooks(secret: string, id: string, timestampSec: number, body: Buffer | string): string {
  const key = standardWebhooksKey(secret);
  if (!key) throw new Error("A Standard Webhooks secret is whsec_ followed by base64");
  if (!Number.isSafeInteger(timestampSec) || timestampSec < 0) throw new Error("The timestamp must be whole unix seconds");
  return `v1,${hmacSha256(key, `${id}.${timestampSec}.`, body).toString("base64")}`;
}

/** The three headers of a Standard Webhooks delivery (also used to sign HTTP deliveries to agents). */
export function standardWebhooksHeaders(secretWhsec: string, id: string, timestampSec: number, body: Buffer | string) {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestampSec),
    "webhook-signature": signStandardWebhooks(secretWhsec, id, timestampSec, body),
  };
}
