/**
 * `github_hmac`: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(secret, body)>`, as GitHub sends it. There is no
 * timestamp; replays are stopped by the fingerprints of the MAC and of `X-GitHub-Delivery`.
 */
import { DELIVERY_ID, readHeader } from "./headers";
import { HEX_SHA256, deliveryFingerprint, hmacSha256, macEqual, signatureFingerprint } from "./mac";
import { type ModeInput, type VerifyWebhookResult, fail } from "./types";

const PREFIX = "sha256=";

export function verifyGithub({ secret, rawBody, headers }: ModeInput): VerifyWebhookResult {
  const signature = readHeader(headers, "x-hub-signature-256");
  if (!signature.ok) return fail(signature.reason);
  const delivery = readHeader(headers, "x-github-delivery");
  if (!delivery.ok && delivery.reason !== "missing_header") return fail(delivery.reason);
  if (delivery.ok && !DELIVERY_ID.test(delivery.value)) return fail("malformed_header");

  const hex = signature.value.startsWith(PREFIX) ? signature.value.slice(PREFIX.length) : "";
  if (!HEX_SHA256.test(hex)) return fail("malformed_header");
  const expected = hmacSha256(secret, rawBody);
  if (!macEqual(Buffer.from(hex, "hex"), expected)) return fail("signature_mismatch");

  // The delivery id is not signed: alone it could be changed to replay a captured request, so the MAC counts too.
  const fingerprints = [signatureFingerprint(expected)];
  if (delivery.ok) fingerprints.push(deliveryFingerprint(delivery.value));
  return { ok: true, replayFingerprints: fingerprints };
}

/** The `X-Hub-Signature-256` value GitHub would send for this body. */
export function signGithub(secret: string, body: Buffer | string): string {
  return `${PREFIX}${hmacSha256(secret, body).toString("hex")}`;
}

/** The headers of a GitHub-style delivery. */
export function githubHeaders(secret: string, body: Buffer | string, deliveryId?: string): Record<string, string> {
  const headers: Record<string, string> = { "x-hub-signature-256": signGithub(secret, body) };
  if (deliveryId !== undefined) headers["x-github-delivery"] = deliveryId;
  return headers;
}
