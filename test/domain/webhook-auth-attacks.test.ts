import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { SigningMode } from "../../src/domain/enums";
import {
  type WebhookAuthFailure,
  type WebhookHeaders,
  githubHeaders,
  paperclipHeaders,
  signPaperclip,
  standardWebhooksHeaders,
  verifyWebhook,
} from "../../src/domain/webhook-auth";

const NOW_S = 1_700_000_000;
const NOW_MS = NOW_S * 1000;
const WINDOW = 300;
const SECRET = "5f3c9a1e7b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c";
const OLD_SECRET = "0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f";
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const OTHER_WHSEC = "whsec_3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAA";
const BODY = Buffer.from('{"event":"deploy","ref":"main"}');
const UNICODE_BODY = Buffer.from('{"msg":"héllo wörld ✓ 🚀 日本"}', "utf8");
const INVALID_UTF8_BODY = Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]);

/** HMAC-SHA256 of `prefix` + `body`, computed here independently of the code under test. */
const hmac = (key: string | Buffer, prefix: string, body: Buffer) => createHmac("sha256", key).update(prefix).update(body).digest();
/** Paperclip headers for any timestamp text, even a malformed one, so that only the format check can reject it. */
const pc = (ts: number | string = NOW_S, body: Buffer = BODY, secret = SECRET): Record<string, string> => ({
  "x-paperclip-timestamp": String(ts),
  "x-paperclip-signature": hmac(secret, `${ts}.`, body).toString("hex"),
});
const gh = (body: Buffer = BODY, secret = SECRET, delivery?: string) => githubHeaders(secret, body, delivery);
const sw = (id = "msg_1", ts = NOW_S, body: Buffer = BODY, secret = WHSEC) => standardWebhooksHeaders(secret, id, ts, body);
const swSig = (h: Record<string, string>) => h["webhook-signature"] as string;
const flipLastChar = (s: string) => s.slice(0, -1) + (s.endsWith("0") ? "1" : "0");

interface Case {
  name: string;
  mode: SigningMode;
  headers: WebhookHeaders;
  expected: "ok" | WebhookAuthFailure;
  secret?: string;
  body?: Buffer;
  nowMs?: number;
  replayWindowSec?: number;
}

const validSw = sw();
const cases: Case[] = [
  // bearer
  { name: "bearer: the right token", mode: "bearer", headers: { authorization: `Bearer ${SECRET}` }, expected: "ok" },
  { name: "bearer: scheme in lower case", mode: "bearer", headers: { authorization: `bearer ${SECRET}` }, expected: "ok" },
  { name: "bearer: a wrong token", mode: "bearer", headers: { authorization: `Bearer ${OLD_SECRET}` }, expected: "signature_mismatch" },
  { name: "bearer: the rotated-out secret", mode: "bearer", secret: SECRET, headers: { authorization: `Bearer ${OLD_SECRET}` }, expected: "signature_mismatch" },
  { name: "bearer: a truncated token", mode: "bearer", headers: { authorization: `Bearer ${SECRET.slice(0, 47)}` }, expected: "signature_mismatch" },
  { name: "bearer: the token with a character appended", mode: "bearer", headers: { authorization: `Bearer ${SECRET}0` }, expected: "signature_mismatch" },
  { name: "bearer: the token in upper case", mode: "bearer", headers: { authorization: `Bearer ${SECRET.toUpperCase()}` }, expected: "signature_mismatch" },
  { name: "bearer: a 100 KB token", mode: "bearer", headers: { authorization: `Bearer ${"a".repeat(100_000)}` }, expected: "signature_mismatch" },
  { name: "bearer: Basic scheme", mode: "bearer", headers: { authorization: `Basic ${SECRET}` }, expected: "malformed_header" },
  { name: "bearer: scheme without token", mode: "bearer", headers: { authorization: "Bearer" }, expected: "malformed_header" },
  { name: "bearer: token followed by junk", mode: "bearer", headers: { authorization: `Bearer ${SECRET} x` }, expected: "malformed_header" },
  { name: "bearer: no Authorization header", mode: "bearer", headers: {}, expected: "missing_header" },
  { name: "bearer: Authorization given twice", mode: "bearer", headers: { authorization: [`Bearer ${SECRET}`, `Bearer ${SECRET}`] }, expected: "duplicate_header" },
  { name: "bearer: a valid Paperclip signature instead of the token", mode: "bearer", headers: pc(), expected: "missing_header" },

  // hmac_sha256 (Paperclip)
  { name: "hmac: lowercase hex without prefix", mode: "hmac_sha256", headers: pc(), expected: "ok" },
  { name: "hmac: with the sha256= prefix", mode: "hmac_sha256", headers: paperclipHeaders(SECRET, BODY, NOW_S), expected: "ok" },
  { name: "hmac: uppercase hex", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": pc()["x-paperclip-signature"]!.toUpperCase() }, expected: "ok" },
  { name: "hmac: header names in mixed case", mode: "hmac_sha256", headers: { "X-Paperclip-Timestamp": String(NOW_S), "X-Paperclip-Signature": pc()["x-paperclip-signature"] }, expected: "ok" },
  { name: "hmac: the secret as a bearer token", mode: "hmac_sha256", headers: { authorization: `Bearer ${SECRET}` }, expected: "missing_header" },
  { name: "hmac: forged with another secret", mode: "hmac_sha256", headers: pc(NOW_S, BODY, OLD_SECRET), expected: "signature_mismatch" },
  { name: "hmac: signed with the secret before rotation", mode: "hmac_sha256", secret: OLD_SECRET, headers: pc(), expected: "signature_mismatch" },
  { name: "hmac: last hex digit changed", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": flipLastChar(pc()["x-paperclip-signature"]!) }, expected: "signature_mismatch" },
  { name: "hmac: body changed after signing", mode: "hmac_sha256", body: Buffer.from('{"event":"deploy","ref":"evil"}'), headers: pc(), expected: "signature_mismatch" },
  { name: "hmac: truncated to 63 hex", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": pc()["x-paperclip-signature"]!.slice(0, 63) }, expected: "malformed_header" },
  { name: "hmac: 65 hex", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": `${pc()["x-paperclip-signature"]}0` }, expected: "malformed_header" },
  { name: "hmac: a non-hex digit Buffer.from would silently drop", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": `${pc()["x-paperclip-signature"]!.slice(0, 62)}zz` }, expected: "malformed_header" },
  { name: "hmac: sha1= prefix", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": `sha1=${pc()["x-paperclip-signature"]}` }, expected: "malformed_header" },
  { name: "hmac: SHA256= prefix in upper case", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": `SHA256=${pc()["x-paperclip-signature"]}` }, expected: "malformed_header" },
  { name: "hmac: timestamp exactly at the stale edge", mode: "hmac_sha256", headers: pc(NOW_S - WINDOW), expected: "ok" },
  { name: "hmac: timestamp one second beyond the stale edge", mode: "hmac_sha256", headers: pc(NOW_S - WINDOW - 1), expected: "stale_timestamp" },
  { name: "hmac: timestamp exactly at the future edge", mode: "hmac_sha256", headers: pc(NOW_S + WINDOW), expected: "ok" },
  { name: "hmac: timestamp one second beyond the future edge", mode: "hmac_sha256", headers: pc(NOW_S + WINDOW + 1), expected: "future_timestamp" },
  { name: "hmac: a timestamp from last year", mode: "hmac_sha256", headers: pc(NOW_S - 365 * 86400), expected: "stale_timestamp" },
  { name: "hmac: millisecond timestamp inside the window", mode: "hmac_sha256", headers: pc(NOW_MS - 299_999), expected: "ok" },
  { name: "hmac: millisecond timestamp 1 ms beyond the stale edge", mode: "hmac_sha256", headers: pc(NOW_MS - WINDOW * 1000 - 1), expected: "stale_timestamp" },
  { name: "hmac: millisecond timestamp 1 ms beyond the future edge", mode: "hmac_sha256", headers: pc(NOW_MS + WINDOW * 1000 + 1), expected: "future_timestamp" },
  { name: "hmac: leading zeros, signed as sent", mode: "hmac_sha256", headers: pc(`0${NOW_S}`), expected: "ok" },
  { name: "hmac: signed over a different spelling of the timestamp than sent", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-timestamp": `0${NOW_S}` }, expected: "signature_mismatch" },
  { name: "hmac: timestamp '12a'", mode: "hmac_sha256", headers: pc("12a"), expected: "malformed_header" },
  { name: "hmac: timestamp with a leading space", mode: "hmac_sha256", headers: pc(` ${NOW_S}`), expected: "malformed_header" },
  { name: "hmac: negative timestamp", mode: "hmac_sha256", headers: pc("-5"), expected: "malformed_header" },
  { name: "hmac: exponent timestamp '1e9'", mode: "hmac_sha256", headers: pc("1e9"), expected: "malformed_header" },
  { name: "hmac: fractional timestamp", mode: "hmac_sha256", headers: pc(`${NOW_S}.5`), expected: "malformed_header" },
  { name: "hmac: timestamp 'NaN'", mode: "hmac_sha256", headers: pc("NaN"), expected: "malformed_header" },
  { name: "hmac: timestamp 'Infinity'", mode: "hmac_sha256", headers: pc("Infinity"), expected: "malformed_header" },
  { name: "hmac: 400-digit timestamp", mode: "hmac_sha256", headers: pc("9".repeat(400)), expected: "malformed_header" },
  { name: "hmac: empty timestamp", mode: "hmac_sha256", headers: pc(""), expected: "missing_header" },
  { name: "hmac: no signature header", mode: "hmac_sha256", headers: { "x-paperclip-timestamp": String(NOW_S) }, expected: "missing_header" },
  { name: "hmac: signature header given twice", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-signature": [pc()["x-paperclip-signature"]!, pc()["x-paperclip-signature"]!] }, expected: "duplicate_header" },
  { name: "hmac: timestamp header given twice", mode: "hmac_sha256", headers: { ...pc(), "x-paperclip-timestamp": [String(NOW_S), String(NOW_S)] }, expected: "duplicate_header" },
  { name: "hmac: the same header under two spellings", mode: "hmac_sha256", headers: { ...pc(), "X-Paperclip-Timestamp": String(NOW_S) }, expected: "duplicate_header" },
  { name: "hmac: unicode body signed over its UTF-8 bytes", mode: "hmac_sha256", body: UNICODE_BODY, headers: pc(NOW_S, UNICODE_BODY), expected: "ok" },
  { name: "hmac: invalid UTF-8 body signed over its bytes", mode: "hmac_sha256", body: INVALID_UTF8_BODY, headers: pc(NOW_S, INVALID_UTF8_BODY), expected: "ok" },
  { name: "hmac: invalid UTF-8 body signed over its lossy text decoding", mode: "hmac_sha256", body: INVALID_UTF8_BODY, headers: pc(NOW_S, Buffer.from(INVALID_UTF8_BODY.toString("utf8"))), expected: "signature_mismatch" },
  { name: "hmac: empty body", mode: "hmac_sha256", body: Buffer.alloc(0), headers: pc(NOW_S, Buffer.alloc(0)), expected: "ok" },

  // github_hmac
  { name: "github: a signed delivery", mode: "github_hmac", headers: gh(BODY, SECRET, "72d3162e-cc78-11e3-81ab-4c9367dc0958"), expected: "ok" },
  { name: "github: uppercase hex", mode: "github_hmac", headers: { "x-hub-signature-256": `sha256=${gh()["x-hub-signature-256"]!.slice(7).toUpperCase()}` }, expected: "ok" },
  { name: "github: bare hex without sha256=", mode: "github_hmac", headers: { "x-hub-signature-256": gh()["x-hub-signature-256"]!.slice(7) }, expected: "malformed_header" },
  { name: "github: sha1= prefix", mode: "github_hmac", headers: { "x-hub-signature-256": `sha1=${gh()["x-hub-signature-256"]!.slice(7)}` }, expected: "malformed_header" },
  { name: "github: truncated signature", mode: "github_hmac", headers: { "x-hub-signature-256": gh()["x-hub-signature-256"]!.slice(0, 40) }, expected: "malformed_header" },
  { name: "github: forged with another secret", mode: "github_hmac", headers: gh(BODY, OLD_SECRET), expected: "signature_mismatch" },
  { name: "github: unicode body", mode: "github_hmac", body: UNICODE_BODY, headers: gh(UNICODE_BODY), expected: "ok" },
  { name: "github: the secret as a bearer token", mode: "github_hmac", headers: { authorization: `Bearer ${SECRET}` }, expected: "missing_header" },
  { name: "github: a Paperclip signature instead", mode: "github_hmac", headers: pc(), expected: "missing_header" },
  { name: "github: delivery id given twice", mode: "github_hmac", headers: { ...gh(), "x-github-delivery": ["a", "b"] }, expected: "duplicate_header" },
  { name: "github: delivery id with a space", mode: "github_hmac", headers: gh(BODY, SECRET, "a b"), expected: "malformed_header" },
  { name: "github: 256-character delivery id", mode: "github_hmac", headers: gh(BODY, SECRET, "d".repeat(256)), expected: "malformed_header" },

  // standard_webhooks
  { name: "standard: a signed message", mode: "standard_webhooks", secret: WHSEC, headers: validSw, expected: "ok" },
  { name: "standard: several v1 signatures, one valid", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": `v1,${"A".repeat(43)}= ${swSig(validSw)} v1,${"B".repeat(43)}=` }, expected: "ok" },
  { name: "standard: the right bytes labelled v2", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": swSig(validSw).replace("v1,", "v2,") }, expected: "signature_mismatch" },
  { name: "standard: signatures separated by a comma, not a space", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": `v1,${"A".repeat(43)}=,${swSig(validSw)}` }, expected: "signature_mismatch" },
  { name: "standard: bad base64", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": "v1,!!!not*base64!!!" }, expected: "signature_mismatch" },
  { name: "standard: base64 without padding", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": swSig(validSw).slice(0, -1) }, expected: "signature_mismatch" },
  { name: "standard: non-canonical base64 of the right bytes", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": nonCanonical(swSig(validSw)) }, expected: "signature_mismatch" },
  { name: "standard: base64url alphabet", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": `v1,${Buffer.from(swSig(validSw).slice(3), "base64").toString("base64url")}` }, expected: "signature_mismatch" },
  { name: "standard: signed with another secret", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg_1", NOW_S, BODY, OTHER_WHSEC), expected: "signature_mismatch" },
  { name: "standard: id changed after signing", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-id": "msg_2" }, expected: "signature_mismatch" },
  { name: "standard: exactly at the stale edge", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg_1", NOW_S - WINDOW), expected: "ok" },
  { name: "standard: one second beyond the stale edge", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg_1", NOW_S - WINDOW - 1), expected: "stale_timestamp" },
  { name: "standard: exactly at the future edge", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg_1", NOW_S + WINDOW), expected: "ok" },
  { name: "standard: one second beyond the future edge", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg_1", NOW_S + WINDOW + 1), expected: "future_timestamp" },
  { name: "standard: milliseconds are not read as such", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg_1", NOW_MS), expected: "future_timestamp" },
  { name: "standard: non-digit timestamp", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-timestamp": "1e9" }, expected: "malformed_header" },
  { name: "standard: no webhook-id", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-id": undefined }, expected: "missing_header" },
  { name: "standard: webhook-id with a space", mode: "standard_webhooks", secret: WHSEC, headers: sw("msg 1"), expected: "malformed_header" },
  { name: "standard: webhook-signature given twice", mode: "standard_webhooks", secret: WHSEC, headers: { ...validSw, "webhook-signature": [swSig(validSw), swSig(validSw)] }, expected: "duplicate_header" },
  { name: "standard: invalid UTF-8 body signed over its bytes", mode: "standard_webhooks", secret: WHSEC, body: INVALID_UTF8_BODY, headers: sw("msg_1", NOW_S, INVALID_UTF8_BODY), expected: "ok" },
  { name: "standard: the whsec secret as a bearer token", mode: "standard_webhooks", secret: WHSEC, headers: { authorization: `Bearer ${WHSEC}` }, expected: "missing_header" },
  { name: "standard: a trigger secret that is not base64", mode: "standard_webhooks", secret: "whsec_not base64!", headers: validSw, expected: "unusable_secret" },
  { name: "standard: a hex secret keyed as text (the HMAC modes' way)", mode: "standard_webhooks", secret: SECRET, headers: { ...validSw, "webhook-signature": `v1,${hmac(SECRET, `msg_1.${NOW_S}.`, BODY).toString("base64")}` }, expected: "signature_mismatch" },

  // whatever the mode
  { name: "any: an empty trigger secret never authenticates", mode: "bearer", secret: "", headers: { authorization: "Bearer " }, expected: "unusable_secret" },
  { name: "any: an unknown mode", mode: "hmac_sha512" as SigningMode, headers: pc(), expected: "invalid_input" },
  { name: "any: a NaN replay window", mode: "hmac_sha256", replayWindowSec: Number.NaN, headers: pc(), expected: "invalid_input" },
];

/** Re-encodes the last base64 character so that it decodes to the same bytes (its two low bits are unused). */
function nonCanonical(signature: string): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const last = signature.at(-2)!;
  return `${signature.slice(0, -2)}${alphabet[alphabet.indexOf(last) ^ 1]}=`;
}

describe("verifying webhook requests: attacks and bad input", () => {
  it("covers at least 45 cases", () => expect(cases.length).toBeGreaterThanOrEqual(45));

  it.each(cases)("$name → $expected", (c) => {
    const result = verifyWebhook({
      mode: c.mode,
      secret: c.secret ?? SECRET,
      rawBody: c.body ?? BODY,
      headers: c.headers,
      nowMs: c.nowMs ?? NOW_MS,
      replayWindowSec: c.replayWindowSec ?? WINDOW,
    });
    expect(result.ok ? "ok" : result.reason).toBe(c.expected);
  });
});

// Guards that the helpers above really produce what a sender would: otherwise the table could pass vacuously.
it("signs test requests exactly as the published signers do", () => {
  expect(pc()["x-paperclip-signature"]).toBe(signPaperclip(SECRET, BODY, NOW_S));
});
