/**
 * The public webhook fire: `POST /api/routine-triggers/public/{publicId}/fire`, the one endpoint open to the
 * internet. Order: public id format → 404 unknown → authenticate (401, the same for every failure) → rate
 * limits → 409 not active → parse the body (400) → in ONE transaction: lock the routine, record the delivery's
 * fingerprints (409 "Duplicate delivery" if one is known: nothing fires), fire → the run. A fire that fails
 * rolls the fingerprints back, so the sender may retry the same signed request.
 *
 * Rate limits (in-process token buckets, so a cluster of N processes allows N times the limit):
 * - failures (unknown trigger, failed authentication) are counted per client IP in a bucket of their own; once
 *   it is empty, that IP's failures are answered 429 instead of 401/404;
 * - authenticated fires are counted per trigger and per client IP.
 * Counting only authenticated fires against a trigger means that anyone who learns its URL can flood it
 * without using up the real sender's budget: a flood never locks the secret holder out, even from the same IP.
 *
 * The secret is decrypted from the row read by this request (no cache): a rotation is in force for every
 * request that starts after the rotate call returned, on every process.
 */
import type { Config } from "../config";
import type { Clock } from "../domain/clock";
import { AppError, badRequest, conflict, notFound, tooManyRequests, unauthorized } from "../domain/errors";
import { createRateLimiter, type RateLimiter } from "../domain/rate-limit";
import type { SecretBox } from "../domain/secret-box";
import { PUBLIC_ID, type WebhookAuthFailure, type WebhookHeaders, verifyWebhook } from "../domain/webhook-auth";
import { webhookPayload } from "../domain/webhook-payload";
import type { Db } from "../store/db";
import type { RunRow } from "../store/repos/runs";
import type { TriggerRow } from "../store/repos/triggers";
import { webhookReplaysRepo } from "../store/repos/webhook-replays";
import type { FiringService } from "./firing";

export interface PublicFireRequest {
  publicId: string;
  /** The body bytes exactly as received. */
  rawBody: Buffer;
  /** Every request header; a header sent twice is an array (see `headersFromRaw` in the route). */
  headers: WebhookHeaders;
  contentType?: string;
  clientIp: string;
  /** Told why a request was refused before firing, for the logs (never a secret or signature). */
  onRefused?: (refusal: { status: number; reason: WebhookAuthFailure | "secret_unreadable" | string; triggerId?: string }) => void;
}

/** GitHub signs no timestamp: its fingerprints are the only defence against replays, so they are kept a day. */
const GITHUB_RETENTION_SEC = 86_400;
/** Slack between this process's clock (timestamp check) and the database clock (expiry). */
const CLOCK_SLACK_SEC = 60;
export const MAX_IDEMPOTENCY_KEY = 255;

const RATE_LIMITED = "Webhook rate limit exceeded";

/**
 * How long an accepted delivery's fingerprints are kept. A timestamp is accepted from `ts - window` to
 * `ts + window`, so a signature first seen at the earliest edge stays valid for two windows.
 */
export function replayRetentionSec(trigger: Pick<TriggerRow, "signingMode" | "replayWindowSec">): number {
  const retention = 2 * (trigger.replayWindowSec ?? 300) + CLOCK_SLACK_SEC;
  return trigger.signingMode === "github_hmac" ? Math.max(retention, GITHUB_RETENTION_SEC) : retention;
}

interface Deps {
  db: Db;
  config: Pick<Config, "webhook">;
  secretBox: SecretBox;
  clock: Clock;
  firing: FiringService;
}

export function createWebhookFireService({ db, config, secretBox, clock, firing }: Deps) {
  const { ratePerTrigger, ratePerIp, bodyLimit } = config.webhook;
  const perTrigger = createRateLimiter({ limitPerMinute: ratePerTrigger });
  const perIp = createRateLimiter({ limitPerMinute: ratePerIp });
  const failuresPerIp = createRateLimiter({ limitPerMinute: ratePerIp });

  function limit(limiter: RateLimiter, key: string, nowMs: number): void {
    const decision = limiter.take(key, nowMs);
    if (!decision.allowed) throw tooManyRequests(RATE_LIMITED, decision.retryAfterSeconds);
  }

  /** A refusal before authentication succeeded: counted against the IP's failure budget. */
  function failure(req: PublicFireRequest, nowMs: number, error: AppError, reason: string, triggerId?: string): AppError {
    req.onRefused?.({ status: error.status, reason, triggerId });
    const decision = failuresPerIp.take(req.clientIp, nowMs);
    return decision.allowed ? error : tooManyRequests(RATE_LIMITED, decision.retryAfterSeconds);
  }

  function decrypt(trigger: TriggerRow): string | null {
    try {
      return trigger.secretCiphertext ? secretBox.decrypt(trigger.secretCiphertext) : null;
    } catch {
      return null;
    }
  }

  return {
    /** Largest body the route accepts (bytes). */
    bodyLimit,

    async fire(req: PublicFireRequest): Promise<RunRow> {
      const nowMs = clock.now().getTime();
      const target = PUBLIC_ID.test(req.publicId) ? await webhookReplaysRepo.findTarget(db, req.publicId) : undefined;
      if (!target || target.trigger.kind !== "webhook") {
        throw failure(req, nowMs, notFound("Routine trigger not found"), "unknown_trigger");
      }
      const { trigger, routineStatus } = target;

      const secret = decrypt(trigger);
      if (secret === null) throw failure(req, nowMs, unauthorized(), "secret_unreadable", trigger.id);
      const verdict = verifyWebhook({
        mode: trigger.signingMode ?? "bearer",
        secret,
        rawBody: req.rawBody,
        headers: req.headers,
        nowMs,
        replayWindowSec: trigger.replayWindowSec ?? 300,
      });
      if (!verdict.ok) throw failure(req, nowMs, unauthorized(), verdict.reason, trigger.id);

      limit(perTrigger, trigger.id, nowMs);
      limit(perIp, req.clientIp, nowMs);
      // Checked again under the routine lock by the fire; this early answer keeps 409 ahead of "Duplicate delivery".
      if (!trigger.enabled || routineStatus !== "active") throw conflict("Routine trigger is not active");

      const idempotencyKey = readIdempotencyKey(req.headers);
      const parsed = webhookPayload(req.rawBody, req.contentType);
      if (!parsed.ok) throw badRequest(parsed.error);

      const { replayFingerprints } = verdict;
      const { run } = await db.transaction((tx) =>
        firing.fireWithin(tx, {
          routineId: trigger.routineId,
          source: "webhook",
          triggerId: trigger.id,
          payload: parsed.payload,
          idempotencyKey,
          // Under the routine lock, so that locks are taken in the order every writer uses (routine, then
          // trigger). In the fire's transaction: a fire that fails forgets the fingerprints again.
          underLock: async (tx) => {
            if (replayFingerprints.length === 0) return;
            const claim = await webhookReplaysRepo.claim(tx, trigger.id, replayFingerprints, replayRetentionSec(trigger));
            if (claim === "gone") throw notFound("Routine trigger not found");
            if (claim === "duplicate") throw conflict("Duplicate delivery");
          },
        }),
      );
      return run;
    },
  };
}

/** `Idempotency-Key`: trimmed, 1..255 characters; absent or blank means none. */
function readIdempotencyKey(headers: WebhookHeaders): string | null {
  const value = headers["idempotency-key"];
  if (Array.isArray(value)) throw badRequest("Send at most one Idempotency-Key header");
  const key = value?.trim();
  if (!key) return null;
  if (key.length > MAX_IDEMPOTENCY_KEY) throw badRequest(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY} characters`);
  return key;
}

export type WebhookFireService = ReturnType<typeof createWebhookFireService>;
