import { describe, expect, it } from "vitest";
import { SIGNING_MODES } from "../../src/domain/enums";
import {
  type VerifyWebhookInput,
  type WebhookHeaders,
  githubHeaders,
  paperclipHeaders,
  standardWebhooksHeaders,
  verifyWebhook,
} from "../../src/domain/webhook-auth";

const NOW_S = 1_700_000_000;
const SECRET = "5f3c9a1e7b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c";
const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const BODY = Buffer.from('{"event":"deploy"}');

function fingerprints(input: Partial<VerifyWebhookInput> & { headers: WebhookHeaders }): string[] {
  const result = verifyWebhook({ mode: "hmac_sha256", secret: SECRET, rawBody: BODY, nowMs: NOW_S * 1000, replayWindowSec: 300, ...input });
  if (!result.ok) throw new Error(`expected the request to authenticate, got ${result.reason}`);
  return result.replayFingerprints;
}
const shared = (a: string[], b: string[]) => a.some((f) => b.includes(f));

describe("replay fingerprints", () => {
  it("gives a replayed Paperclip request the same fingerprint", () => {
    const headers = paperclipHeaders(SECRET, BODY, NOW_S);
    expect(fingerprints({ headers, nowMs: NOW_S * 1000 + 5000 })).toEqual(fingerprints({ headers }));
  });

  it("does not let a replay slip through by re-spelling the signature (case, prefix)", () => {
    const headers = paperclipHeaders(SECRET, BODY, NOW_S);
    const hex = headers["x-paperclip-signature"].slice("sha256=".length);
    const upper = fingerprints({ headers: { ...headers, "x-paperclip-signature": hex.toUpperCase() } });
    expect(upper).toEqual(fingerprints({ headers }));
  });

  it("gives a new Paperclip signature (new timestamp) a new fingerprint", () => {
    const a = fingerprints({ headers: paperclipHeaders(SECRET, BODY, NOW_S) });
    const b = fingerprints({ headers: paperclipHeaders(SECRET, BODY, NOW_S + 1) });
    expect(shared(a, b)).toBe(false);
  });

  it("catches a GitHub replay whose unsigned delivery id was changed", () => {
    const a = fingerprints({ mode: "github_hmac", headers: githubHeaders(SECRET, BODY, "delivery-1") });
    const b = fingerprints({ mode: "github_hmac", headers: githubHeaders(SECRET, BODY, "delivery-2") });
    expect(shared(a, b)).toBe(true);
  });

  it("catches a second delivery with the same X-GitHub-Delivery even when its body differs", () => {
    const a = fingerprints({ mode: "github_hmac", headers: githubHeaders(SECRET, BODY, "delivery-1") });
    const other = Buffer.from("{}");
    const b = fingerprints({ mode: "github_hmac", rawBody: other, headers: githubHeaders(SECRET, other, "delivery-1") });
    expect(shared(a, b)).toBe(true);
  });

  it("catches a Standard Webhooks retry: same webhook-id, fresh timestamp and signature", () => {
    const std = { mode: "standard_webhooks" as const, secret: WHSEC };
    const a = fingerprints({ ...std, headers: standardWebhooksHeaders(WHSEC, "msg_1", NOW_S, BODY) });
    const b = fingerprints({ ...std, headers: standardWebhooksHeaders(WHSEC, "msg_1", NOW_S + 60, BODY) });
    const c = fingerprints({ ...std, headers: standardWebhooksHeaders(WHSEC, "msg_2", NOW_S, BODY) });
    expect(shared(a, b)).toBe(true);
    expect(shared(a, c)).toBe(false);
  });

  it("has nothing to fingerprint for bearer, where every request carries the same token", () => {
    expect(fingerprints({ mode: "bearer", headers: { authorization: `Bearer ${SECRET}` } })).toEqual([]);
  });

  it("stores neither the secret nor a replayable signature, only bounded hashes", () => {
    const headers = paperclipHeaders(SECRET, BODY, NOW_S);
    const all = [
      ...fingerprints({ headers }),
      ...fingerprints({ mode: "github_hmac", headers: githubHeaders(SECRET, BODY, "x".repeat(255)) }),
    ];
    for (const f of all) {
      expect(f).toMatch(/^(sig|id):[0-9a-f]{64}$/);
      expect(f).not.toContain(headers["x-paperclip-signature"].slice(7));
    }
  });
});

describe("hostile input never throws", () => {
  // A deterministic generator of nasty header values: odd lengths, control and non-ASCII characters.
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const pieces = ["", " ", ",", "v1,", "v2,", "sha256=", "Bearer ", "=", "==", "\u0000", "é", "🚀", "-", "1e400", "NaN", "0x1f", "ff", "AAAA", "\r\n"];
  const nasty = () => Array.from({ length: rand(8) }, () => (rand(3) === 0 ? "9".repeat(rand(40)) : pieces[rand(pieces.length)])).join("");
  const names = ["authorization", "x-paperclip-timestamp", "x-paperclip-signature", "x-hub-signature-256", "x-github-delivery", "webhook-id", "webhook-timestamp", "webhook-signature"];

  it("answers 'not authenticated' to 300 random header sets in every signed mode (and never throws in none)", () => {
    for (let i = 0; i < 300; i++) {
      const headers: WebhookHeaders = {};
      for (const name of names) if (rand(4) > 0) headers[name] = rand(10) === 0 ? [nasty(), nasty()] : nasty();
      // "none" is Paperclip's unauthenticated mode: it accepts anything, by design.
      expect(verifyWebhook({ mode: "none", secret: SECRET, rawBody: Buffer.from(nasty()), headers, nowMs: NOW_S * 1000, replayWindowSec: 300 }).ok).toBe(true);
      for (const mode of SIGNING_MODES.filter((m) => m !== "none")) {
        const secret = mode === "standard_webhooks" ? WHSEC : SECRET;
        const result = verifyWebhook({ mode, secret, rawBody: Buffer.from(nasty()), headers, nowMs: NOW_S * 1000, replayWindowSec: 300 });
        expect(result.ok).toBe(false);
      }
    }
  });
});
