/**
 * Verifications per second of each webhook signing mode on a 1 KiB body, valid and forged, plus rate limiter
 * decisions per second. Pure CPU, no database: the ceiling the public fire route can reach before any I/O.
 * Run: npx tsx bench/webhook-verify.ts [iterations per case]
 */
import { performance } from "node:perf_hooks";
import type { SigningMode } from "../src/domain/enums";
import { createRateLimiter } from "../src/domain/rate-limit";
import {
  type VerifyWebhookInput,
  type WebhookHeaders,
  generateWebhookSecret,
  githubHeaders,
  paperclipHeaders,
  standardWebhooksHeaders,
  verifyWebhook,
} from "../src/domain/webhook-auth";

const iterations = Number(process.argv[2] ?? 50_000);
const nowSec = Math.floor(Date.now() / 1000);
const body = Buffer.from(JSON.stringify({ event: "deploy", data: "x".repeat(1000) }).slice(0, 1024));

function requestFor(mode: SigningMode): VerifyWebhookInput {
  const secret = generateWebhookSecret(mode);
  const headers: Record<SigningMode, () => WebhookHeaders> = {
    bearer: () => ({ authorization: `Bearer ${secret}` }),
    hmac_sha256: () => paperclipHeaders(secret, body, nowSec),
    github_hmac: () => githubHeaders(secret, body, "72d3162e-cc78-11e3-81ab-4c9367dc0958"),
    standard_webhooks: () => standardWebhooksHeaders(secret, "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", nowSec, body),
    none: () => ({}),
  };
  return { mode, secret, rawBody: body, headers: headers[mode](), nowMs: nowSec * 1000, replayWindowSec: 300 };
}

function perSecond(run: () => unknown): number {
  for (let i = 0; i < Math.min(iterations, 5000); i++) run(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  return Math.round(iterations / ((performance.now() - start) / 1000));
}

const results: Record<string, { validPerSec: number; forgedPerSec: number }> = {};
for (const mode of ["bearer", "hmac_sha256", "github_hmac", "standard_webhooks"] as const) {
  const valid = requestFor(mode);
  const forged = { ...valid, secret: generateWebhookSecret(mode) };
  if (!verifyWebhook(valid).ok || verifyWebhook(forged).ok) throw new Error(`benchmark requests for ${mode} are wrong`);
  results[mode] = { validPerSec: perSecond(() => verifyWebhook(valid)), forgedPerSec: perSecond(() => verifyWebhook(forged)) };
}

const limiter = createRateLimiter({ limitPerMinute: 120, maxKeys: 10_000 });
let n = 0;
const rateLimiterTakesPerSec = perSecond(() => limiter.take(`10.0.${(n >> 8) & 255}.${n++ & 255}`, nowSec * 1000 + n));

console.log(
  JSON.stringify(
    { benchmark: "webhook-verify", node: process.version, bodyBytes: body.length, iterations, verificationsPerSec: results, rateLimiterTakesPerSec },
    null,
    2,
  ),
);
