/**
 * Authenticated webhook deliveries, fired through the group commit (`group-commit.ts`) with the other fires
 * waiting at the same moment. Each delivery gets its own answer: its run, or the error it would get alone
 * (404, 401, 409 "Duplicate delivery", 409 not active).
 *
 * A delivery was verified against a copy of its trigger that may be older than the database's: under the
 * routine lock the trigger must still have that secret and signing mode, or the delivery is 401. So a
 * rotation is in force for every request that starts after the rotate call returned, on every process.
 */
import { unauthorized } from "../domain/errors";
import type { TriggerRow } from "../store/repos/triggers";
import type { GroupedFire } from "./group-commit";

/** An authenticated delivery, ready to fire. */
export interface Delivery {
  /** The trigger as the delivery was verified against it. */
  trigger: TriggerRow;
  payload: Record<string, unknown>;
  idempotencyKey: string | null;
  /** The replay fingerprints of its signature / delivery id. */
  fingerprints: string[];
}

/** GitHub signs no timestamp: its fingerprints are the only defence against replays, so they are kept a day. */
const GITHUB_RETENTION_SEC = 86_400;
/** Slack between this process's clock (timestamp check) and the database clock (expiry). */
const CLOCK_SLACK_SEC = 60;

/**
 * How long an accepted delivery's fingerprints are kept. A timestamp is accepted from `ts - window` to
 * `ts + window`, so a signature first seen at the earliest edge stays valid for two windows.
 */
export function replayRetentionSec(trigger: Pick<TriggerRow, "signingMode" | "replayWindowSec">): number {
  const retention = 2 * (trigger.replayWindowSec ?? 300) + CLOCK_SLACK_SEC;
  return trigger.signingMode === "github_hmac" ? Math.max(retention, GITHUB_RETENTION_SEC) : retention;
}

/** The trigger still has the secret and signing mode the delivery was verified with. */
const verifiedAgainst = (d: Delivery, current: TriggerRow) =>
  current.secretCiphertext === d.trigger.secretCiphertext && current.signingMode === d.trigger.signingMode;

/**
 * A delivery as a fire of the group commit: under the routine lock its trigger must still have the secret
 * and signing mode it was verified with (else 401), and its fingerprints must not be recorded (else 409
 * "Duplicate delivery"); they are recorded with its run.
 */
export const deliveryFire = (d: Delivery): GroupedFire => ({
  request: {
    routineId: d.trigger.routineId,
    source: "webhook",
    triggerId: d.trigger.id,
    payload: d.payload,
    idempotencyKey: d.idempotencyKey,
  },
  admit: (current) => (verifiedAgainst(d, current) ? null : unauthorized()),
  replays: { fingerprints: d.fingerprints, retentionSec: replayRetentionSec },
});
