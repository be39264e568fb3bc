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
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import type { Db, Executor } from "../store/db";
import { fireRepo } from "../store/repos/fire";
import { routinesRepo } from "../store/repos/routines";
import type { RunRow } from "../store/repos/runs";
import type { TriggerRow } from "../store/repos/triggers";
import { webhookReplaysRepo } from "../store/repos/webhook-replays";
import { createBatcher } from "./batcher";
import { executionOf, keyOf, newFirePlan } from "./fire-plan";
import type { FireRequest, FiringService, PlannedFire } from "./firing";

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

  /** Concurrent requests look their triggers up together: one read for all that arrive while one is running. */
  const targets = createBatcher(
    async (publicIds: string[]) => {
      const found = await webhookReplaysRepo.findTargets(db, [...new Set(publicIds)]);
      return publicIds.map((id) => found.get(id) ?? null);
    },
    { maxBatch: 200, maxInFlight: 2 },
  );

  /**
   * Authenticated deliveries of any triggers fire together: one transaction locks their routines (in id
   * order), reads what they need once, decides each through the firing path, records their fingerprints and
   * writes every run with one flush. Each delivery gets its own answer (a run, or 404/409 for itself). When
   * the transaction fails as a whole, each delivery is fired alone so that one cannot fail the others.
   */
  const deliveries = createBatcher(
    async (batch: Delivery[]) => {
      try {
        return await db.transaction((tx) => fireTogether(tx, batch));
      } catch {
        return Promise.all(batch.map((d) => db.transaction((tx) => fireAlone(tx, d)).catch((err: Error) => err)));
      }
    },
    { maxBatch: 200, maxInFlight: 1 },
  );

  async function fireTogether(tx: Executor, batch: Delivery[]): Promise<(RunRow | AppError)[]> {
    const routineIds = [...new Set(batch.map((d) => d.trigger.routineId))].sort();
    const routines = await routinesRepo.lockMany(tx, routineIds);
    const policyReads = [...routines.values()].filter((r) => r.concurrencyPolicy !== "always_enqueue").map((r) => r.id);
    const keys = batch.flatMap((d) => (d.idempotencyKey ? [{ routineId: d.trigger.routineId, triggerId: d.trigger.id, key: d.idempotencyKey }] : []));
    const context = await fireRepo.batchContext(tx, {
      triggerIds: [...new Set(batch.map((d) => d.trigger.id))],
      activeFor: policyReads,
      openStatuses: OPEN_ISSUE_STATUSES,
      keys,
      fingerprints: batch.flatMap((d) => d.fingerprints.map((fingerprint) => ({ triggerId: d.trigger.id, fingerprint }))),
    });
    const { live } = context;

    const plan = newFirePlan();
    const active = new Map(context.active.map((i) => [i.originId!, i]));
    for (const id of policyReads) plan.active.set(id, active.has(id) ? executionOf(active.get(id)!) : null);
    for (const k of keys) plan.keys.set(keyOf(k.routineId, k.triggerId, k.key), null);
    for (const run of context.existing) plan.keys.set(keyOf(run.routineId, run.triggerId, run.idempotencyKey!), { runId: run.id, existing: run });
    const triggers = new Map(context.triggers.map((t) => [t.id, t]));

    const planned: (PlannedFire | AppError)[] = [];
    for (const d of batch) {
      const routine = routines.get(d.trigger.routineId);
      const trigger = triggers.get(d.trigger.id);
      if (!routine || !trigger) {
        planned.push(notFound("Routine trigger not found"));
        continue;
      }
      // Replays first, as a lone fire checks them: under the routine lock, before the fire decides.
      const fingerprints = d.fingerprints.map((f) => `${trigger.id}/${f}`);
      if (fingerprints.some((f) => live.has(f))) {
        planned.push(conflict("Duplicate delivery"));
        continue;
      }
      try {
        planned.push(await firing.planFire(tx, plan, fireRequest(d), { routine, trigger, now: context.now }));
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        planned.push(err);
        continue;
      }
      for (const f of fingerprints) live.add(f);
      const retentionSec = replayRetentionSec(trigger);
      plan.replays.push(...d.fingerprints.map((fingerprint) => ({ triggerId: trigger.id, fingerprint, retentionSec })));
    }
    const runs = await firing.flush(tx, plan);
    return planned.map((p) => (p instanceof AppError ? p : (p.existing ?? runs.get(p.runId) ?? new Error(`run ${p.runId} was not written`))) as RunRow | AppError);
  }

  /** One delivery in a transaction of its own: the fingerprints are claimed under the routine lock, then it fires. */
  async function fireAlone(tx: Executor, d: Delivery): Promise<RunRow> {
    const { run } = await firing.fireWithin(tx, {
      ...fireRequest(d),
      // Under the routine lock, so that locks are taken in the order every writer uses (routine, then
      // trigger). In the fire's transaction: a fire that fails forgets the fingerprints again.
      underLock: async (tx) => {
        if (d.fingerprints.length === 0) return;
        const claim = await webhookReplaysRepo.claim(tx, d.trigger.id, d.fingerprints, replayRetentionSec(d.trigger));
        if (claim === "gone") throw notFound("Routine trigger not found");
        if (claim === "duplicate") throw conflict("Duplicate delivery");
      },
    });
    return run;
  }

  return {
    /** Largest body the route accepts (bytes). */
    bodyLimit,

    async fire(req: PublicFireRequest): Promise<RunRow> {
      const nowMs = clock.now().getTime();
      const target = PUBLIC_ID.test(req.publicId) ? await targets.load(req.publicId) : null;
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
      return deliveries.load({ trigger, payload: parsed.payload, idempotencyKey, fingerprints: verdict.replayFingerprints });
    },
  };
}

/** An authenticated delivery, ready to fire. */
interface Delivery {
  trigger: TriggerRow;
  payload: Record<string, unknown>;
  idempotencyKey: string | null;
  /** The replay fingerprints of its signature / delivery id. */
  fingerprints: string[];
}

const fireRequest = (d: Delivery): FireRequest => ({
  routineId: d.trigger.routineId,
  source: "webhook",
  triggerId: d.trigger.id,
  payload: d.payload,
  idempotencyKey: d.idempotencyKey,
});

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
