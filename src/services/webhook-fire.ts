/**
 * The public webhook fire: `POST /api/routine-triggers/public/{publicId}/fire`, the one endpoint open to the
 * internet. Order: public id format → 404 unknown → authenticate (401, the same for every failure) → rate
 * limits → 409 not active → parse the body (400) → fire with the fires waiting at the same moment
 * (`group-commit`: one fire batch locks the routines, refuses a known fingerprint with 409 "Duplicate
 * delivery", fires, and records the fingerprints with the run) → the run. A fire that fails records no
 * fingerprint, so the sender may retry the same signed request.
 *
 * Rate limits (in-process token buckets, so a cluster of N processes allows N times the limit):
 * - a client IP is an IPv4 address or an IPv6 /64 (`clientNetwork`);
 * - failures (unknown trigger, failed authentication) are counted per client IP in a bucket of their own; once
 *   it is empty, that IP's failures are answered 429 instead of 401/404;
 * - authenticated fires are counted per trigger and per client IP.
 * Counting only authenticated fires against a trigger means that anyone who learns its URL can flood it
 * without using up the real sender's budget: a flood never locks the secret holder out, even from the same IP.
 *
 * Triggers are verified against a copy kept in memory (the row and its decrypted secret, by public id), so
 * a delivery costs no read before it fires; the planner checks under the routine lock that the trigger still
 * has the secret and signing mode the delivery was verified with. A copy that refuses a request (401, or 409
 * not active) is read again first, so a sender already using a new secret, or a trigger enabled again, is
 * never refused on a stale copy. A delivery that the copy let through and the lock refused (`secret_rotated`)
 * drops the copy and counts as a failure of its client IP, so at most one request per stale copy
 * spends the trigger's budget: someone still holding a rotated-out secret cannot use up the new holder's.
 */
import type { Config } from "../config";
import { clientNetwork } from "../domain/client-network";
import type { Clock } from "../domain/clock";
import { AppError, badRequest, conflict, notFound, tooManyRequests, unauthorized } from "../domain/errors";
import { createRateLimiter, type RateLimiter } from "../domain/rate-limit";
import type { SecretBox } from "../domain/secret-box";
import { PUBLIC_ID, type WebhookAuthFailure, type WebhookHeaders, verifyWebhook } from "../domain/webhook-auth";
import { webhookPayload } from "../domain/webhook-payload";
import type { RoutineStatus } from "../domain/enums";
import type { WebhookTrigger } from "../domain/trigger-kinds";
import type { FireRequest } from "../firing/plan";
import { refusalError } from "../firing/refusals";
import { createBatcher } from "../lib/batcher";
import type { Db } from "../store/db";
import type { RunRow } from "../store/repos/runs";
import { triggersRepo } from "../store/repos/triggers";
import type { GroupCommit } from "./group-commit";

export interface PublicFireRequest {
  publicId: string;
  /** The body bytes exactly as received. */
  rawBody: Buffer;
  /** Every request header; a header sent twice is an array (see `headersFromRaw` in the route). */
  headers: WebhookHeaders;
  contentType?: string;
  clientIp: string;
  /** The request's logger: the fire's log line goes there, with the request id. */
  log?: FireRequest["log"];
  /** Told why a request was refused before firing, for the logs (never a secret or signature). */
  onRefused?: (refusal: { status: number; reason: WebhookAuthFailure | "secret_unreadable" | string; triggerId?: string }) => void;
}

export const MAX_IDEMPOTENCY_KEY = 255;

const RATE_LIMITED = "Webhook rate limit exceeded";
/** Triggers kept in memory per process; the oldest copy is forgotten first. */
const KNOWN_TRIGGERS = 10_000;

/** A webhook trigger as last read, with its secret decrypted (null: unreadable with this server's key). */
interface Target {
  trigger: WebhookTrigger;
  routineStatus: RoutineStatus;
  secret: string | null;
}

interface Deps {
  db: Db;
  config: Pick<Config, "webhook">;
  secretBox: SecretBox;
  clock: Clock;
  groupCommit: GroupCommit;
}

export function createWebhookFireService({ db, config, secretBox, clock, groupCommit }: Deps) {
  const { ratePerTrigger, ratePerIp, bodyLimit } = config.webhook;
  const perTrigger = createRateLimiter({ limitPerMinute: ratePerTrigger });
  const perIp = createRateLimiter({ limitPerMinute: ratePerIp });
  const failuresPerIp = createRateLimiter({ limitPerMinute: ratePerIp });

  function limit(limiter: RateLimiter, key: string, nowMs: number): void {
    const decision = limiter.take(key, nowMs);
    if (!decision.allowed) throw tooManyRequests(RATE_LIMITED, decision.retryAfterSeconds);
  }

  /**
   * Every refusal: told to the route (for the log) and, when the trigger is known, noted on it for its owner
   * (`lastRefusedAt`, `lastRefusal`: "401 Unauthorized (signature_mismatch)", "409 Duplicate delivery", ...).
   */
  async function refuse(req: PublicFireRequest, error: AppError, reason: string | null, triggerId?: string): Promise<AppError> {
    req.onRefused?.({ status: error.status, reason: reason ?? error.message, triggerId });
    if (triggerId) await noteRefusal(triggerId, `${error.status} ${error.message}${reason ? ` (${reason})` : ""}`);
    return error;
  }

  /** A refusal before authentication succeeded: also counted against the IP's failure budget. */
  function failure(req: PublicFireRequest, nowMs: number, error: AppError, reason: string, triggerId?: string): Promise<AppError> {
    const decision = failuresPerIp.take(clientNetwork(req.clientIp), nowMs);
    return refuse(req, decision.allowed ? error : tooManyRequests(RATE_LIMITED, decision.retryAfterSeconds), reason, triggerId);
  }

  /**
   * A trigger's refusals are noted at most once a second per process (the first of each second): a flood of
   * refused requests, whatever their reasons, costs few writes and never queues on the trigger's row.
   */
  const lastNotedMs = new Map<string, number>();
  async function noteRefusal(triggerId: string, refusal: string): Promise<void> {
    const nowMs = clock.now().getTime();
    const last = lastNotedMs.get(triggerId);
    if (last !== undefined && nowMs >= last && nowMs - last < 1000) return;
    if (lastNotedMs.size >= KNOWN_TRIGGERS) lastNotedMs.clear();
    lastNotedMs.set(triggerId, nowMs);
    // A note that cannot be written (database unavailable) must not change the answer.
    await triggersRepo.noteRefusal(db, triggerId, refusal).catch(() => {});
  }

  function decrypt(trigger: WebhookTrigger): string | null {
    try {
      return secretBox.decrypt(trigger.secretCiphertext);
    } catch {
      return null;
    }
  }

  /** Concurrent requests look their triggers up together: one read for all that arrive while one is running. */
  const lookUps = createBatcher(
    async (publicIds: string[]) => {
      const found = await triggersRepo.findWebhookTargets(db, [...new Set(publicIds)]);
      return publicIds.map((id) => found.get(id) ?? null);
    },
    { maxBatch: 200, maxInFlight: 2 },
  );
  const known = new Map<string, Target>();

  /** The trigger read now (and remembered), or null when no webhook trigger has this public id. */
  async function read(publicId: string): Promise<Target | null> {
    const found = await lookUps.load(publicId);
    known.delete(publicId);
    if (found?.trigger.kind !== "webhook") return null;
    const target = { trigger: found.trigger, routineStatus: found.routineStatus, secret: decrypt(found.trigger) };
    known.set(publicId, target);
    if (known.size > KNOWN_TRIGGERS) known.delete(known.keys().next().value!);
    return target;
  }

  return {
    /** Largest body the route accepts (bytes). */
    bodyLimit,

    async fire(req: PublicFireRequest): Promise<RunRow> {
      const nowMs = clock.now().getTime();
      if (!PUBLIC_ID.test(req.publicId)) throw await failure(req, nowMs, notFound("Routine trigger not found"), "unknown_trigger");
      const cached = known.get(req.publicId);
      let target = cached ?? (await read(req.publicId));
      if (!target) throw await failure(req, nowMs, notFound("Routine trigger not found"), "unknown_trigger");

      const verify = ({ trigger, secret }: Target) => {
        const { signingMode, replayWindowSec } = trigger;
        return secret === null
          ? ({ ok: false, reason: "secret_unreadable" } as const)
          : verifyWebhook({ mode: signingMode, secret, rawBody: req.rawBody, headers: req.headers, nowMs, replayWindowSec });
      };
      let verdict = verify(target);
      const inactive = (t: Target) => !t.trigger.enabled || t.routineStatus !== "active";
      if (cached && (!verdict.ok || inactive(target))) {
        // Refused on a copy: ask the database before saying so (the secret may have been rotated, the trigger enabled).
        target = await read(req.publicId);
        if (!target) throw await failure(req, nowMs, notFound("Routine trigger not found"), "unknown_trigger");
        verdict = verify(target);
      }
      const { trigger } = target;
      if (!verdict.ok) throw await failure(req, nowMs, unauthorized(), verdict.reason, trigger.id);

      let answer;
      try {
        limit(perTrigger, trigger.id, nowMs);
        limit(perIp, clientNetwork(req.clientIp), nowMs);
        // Checked again under the routine lock by the fire; this early answer keeps 409 ahead of "Duplicate delivery".
        if (inactive(target)) throw conflict("Routine trigger is not active");
        const idempotencyKey = readIdempotencyKey(req.headers);
        const parsed = webhookPayload(req.rawBody, req.contentType);
        if (!parsed.ok) throw badRequest(parsed.error);
        answer = await groupCommit.fire({ ...deliveryRequest(trigger, parsed.payload, idempotencyKey, verdict.replayFingerprints), log: req.log });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        throw await refuse(req, err, null, trigger.id);
      }
      if ("run" in answer) return answer.run;
      const error = refusalError(answer.refused, "webhook", answer.detail);
      if (answer.refused !== "secret_rotated") throw await refuse(req, error, null, trigger.id);
      // Refused under the lock: the copy was stale, the secret rotated (by another process, or since this one
      // read it). Forget it, so the next request is verified against the new secret; count this one as a failure.
      if (known.get(req.publicId) === target) known.delete(req.publicId);
      throw await failure(req, nowMs, error, "secret_rotated", trigger.id);
    },
  };
}

/**
 * An authenticated delivery as a fire: under the routine lock its trigger must still have the secret and
 * signing mode it was verified with (else `secret_rotated`), and its fingerprints must not be recorded (else
 * `duplicate_delivery`); they are recorded with its run.
 */
export const deliveryRequest = (
  trigger: WebhookTrigger,
  payload: Record<string, unknown>,
  idempotencyKey: string | null,
  fingerprints: string[],
): FireRequest => ({
  routineId: trigger.routineId,
  source: "webhook",
  triggerId: trigger.id,
  payload,
  idempotencyKey,
  delivery: { verifiedWith: { secretCiphertext: trigger.secretCiphertext, signingMode: trigger.signingMode }, fingerprints },
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
