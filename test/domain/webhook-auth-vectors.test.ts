import { describe, expect, it } from "vitest";
import {
  PUBLIC_ID,
  generatePublicId,
  generateWebhookSecret,
  paperclipHeaders,
  signGithub,
  signPaperclip,
  signStandardWebhooks,
  standardWebhooksHeaders,
  verifyWebhook,
} from "../../src/domain/webhook-auth";

// GitHub's documented example: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
const GITHUB = {
  secret: "It's a Secret to Everybody",
  body: "Hello, World!",
  signature: "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
};

// The reference vector of the Standard Webhooks libraries (libraries/*/ tests, "sign function works").
const STANDARD = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

// Computed independently: printf '%s' '1700000000.{"event":"deploy"}' | openssl dgst -sha256 -hmac <secret>
const PAPERCLIP = {
  secret: "5f3c9a1e7b2d4c6e8f0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c",
  timestamp: 1700000000,
  body: '{"event":"deploy"}',
  signature: "7bafbd0657664be5b2c73a8c6593eccf6610e8852431e89b806885c187812753",
};

const standardHeaders = (signature = STANDARD.signature) => ({
  "webhook-id": STANDARD.id,
  "webhook-timestamp": String(STANDARD.timestamp),
  "webhook-signature": signature,
});
const verifyStandard = (headers: Record<string, string>, secret = STANDARD.secret, nowMs = STANDARD.timestamp * 1000) =>
  verifyWebhook({ mode: "standard_webhooks", secret, rawBody: Buffer.from(STANDARD.body), headers, nowMs, replayWindowSec: 300 });

describe("GitHub's documented test vector", () => {
  it("signs the example payload to the documented signature", () => {
    expect(signGithub(GITHUB.secret, GITHUB.body)).toBe(GITHUB.signature);
  });

  it("accepts the documented delivery", () => {
    const result = verifyWebhook({
      mode: "github_hmac",
      secret: GITHUB.secret,
      rawBody: Buffer.from(GITHUB.body),
      headers: { "x-hub-signature-256": GITHUB.signature },
      nowMs: 0,
      replayWindowSec: 300,
    });
    expect(result.ok).toBe(true);
  });
});

describe("the Standard Webhooks reference vector", () => {
  it("signs the reference message to the reference signature", () => {
    expect(signStandardWebhooks(STANDARD.secret, STANDARD.id, STANDARD.timestamp, STANDARD.body)).toBe(STANDARD.signature);
  });

  it("accepts the reference message at its own timestamp", () => {
    expect(verifyStandard(standardHeaders())).toMatchObject({ ok: true });
  });

  it("accepts the reference secret without its whsec_ prefix, as the reference libraries do", () => {
    expect(verifyStandard(standardHeaders(), STANDARD.secret.slice("whsec_".length))).toMatchObject({ ok: true });
  });

  it("accepts a list where only one v1 signature is right (the reference multi-signature case)", () => {
    const wrong = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    const list = [wrong, wrong.replace("v1,", "v2,"), STANDARD.signature, wrong].join(" ");
    expect(verifyStandard(standardHeaders(list))).toMatchObject({ ok: true });
  });

  it("rejects the reference's partial and invalid signatures", () => {
    for (const signature of [STANDARD.signature.slice(0, 8), "v1,", "v1,dawfeoifkpqwoekfpqoekf"]) {
      expect(verifyStandard(standardHeaders(signature))).toEqual({ ok: false, reason: "signature_mismatch" });
    }
  });

  it("rejects the reference message six minutes later", () => {
    const later = (STANDARD.timestamp + 360) * 1000;
    expect(verifyStandard(standardHeaders(), STANDARD.secret, later)).toEqual({ ok: false, reason: "stale_timestamp" });
  });

  it("builds the three delivery headers an agent's Standard Webhooks library verifies", () => {
    expect(standardWebhooksHeaders(STANDARD.secret, STANDARD.id, STANDARD.timestamp, Buffer.from(STANDARD.body))).toEqual(
      standardHeaders(),
    );
  });
});

describe("the Paperclip hmac_sha256 format", () => {
  it("signs '<timestamp>.<body>' with the secret's UTF-8 bytes, as openssl does", () => {
    expect(signPaperclip(PAPERCLIP.secret, PAPERCLIP.body, PAPERCLIP.timestamp)).toBe(PAPERCLIP.signature);
  });

  it("accepts the headers its signer builds", () => {
    const result = verifyWebhook({
      mode: "hmac_sha256",
      secret: PAPERCLIP.secret,
      rawBody: Buffer.from(PAPERCLIP.body),
      headers: paperclipHeaders(PAPERCLIP.secret, PAPERCLIP.body, PAPERCLIP.timestamp),
      nowMs: PAPERCLIP.timestamp * 1000,
      replayWindowSec: 300,
    });
    expect(result.ok).toBe(true);
  });
});

describe("webhook secrets and public ids", () => {
  it("generates 48 lowercase hex secrets for bearer and the HMAC modes", () => {
    for (const mode of ["bearer", "hmac_sha256", "github_hmac"] as const) {
      expect(generateWebhookSecret(mode)).toMatch(/^[0-9a-f]{48}$/);
    }
  });

  it("generates whsec_ secrets of 24 random bytes for Standard Webhooks, usable for signing", () => {
    const secret = generateWebhookSecret("standard_webhooks");
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(24);
    const headers = standardWebhooksHeaders(secret, "msg_1", 1700000000, "{}");
    const result = verifyWebhook({ mode: "standard_webhooks", secret, rawBody: Buffer.from("{}"), headers, nowMs: 1700000000_000, replayWindowSec: 300 });
    expect(result.ok).toBe(true);
  });

  it("never generates the same secret or public id twice", () => {
    expect(new Set(Array.from({ length: 50 }, () => generateWebhookSecret("hmac_sha256"))).size).toBe(50);
    const ids = Array.from({ length: 50 }, generatePublicId);
    expect(new Set(ids).size).toBe(50);
    for (const id of ids) expect(id).toMatch(PUBLIC_ID);
  });
});
