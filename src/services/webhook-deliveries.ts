/**
 * Firing authenticated webhook deliveries. Concurrent deliveries of any triggers fire together (group
 * commit): one transaction locks their routines in id order, reads what they need once, decides each through
 * the firing path, and writes every run, issue and fingerprint with one flush. Each delivery gets its own
 * answer: its run, or the error it would get alone (404, 401, 409 "Duplicate delivery", 409 not active).
 *
 * A delivery was verified against a copy of its trigger that may be older than the database's: under the
 * routine lock the trigger must still have that secret and signing mode, or the delivery is 401. So a
 * rotation is in force for every request that starts after the rotate call returned, on every process.
 */
import { AppError, conflict, notFound, unauthorized } from "../domain/errors";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import type { Db, Executor } from "../store/db";
import { fireRepo } from "../store/repos/fire";
import { routinesRepo } from "../store/repos/routines";
import type { RunRow } from "../store/repos/runs";
import type { TriggerRow } from "../store/repos/triggers";
import { createBatcher } from "./batcher";
import { keyOf, knowActive, newFirePlan } from "./fire-plan";
import type { FireRequest, FiringService, PlannedFire } from "./firing";

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

const fireRequest = (d: Delivery): FireRequest => ({
  routineId: d.trigger.routineId,
  source: "webhook",
  triggerId: d.trigger.id,
  payload: d.payload,
  idempotencyKey: d.idempotencyKey,
});

export function createWebhookDeliveries({ db, firing }: { db: Db; firing: FiringService }) {
  /**
   * One batch at a time: the next one gathers what arrives meanwhile. (Two at a time measured slower on two
   * cores: smaller batches, and both wait on the same routine and company locks.) When the transaction fails
   * as a whole, each delivery is fired alone, so that one cannot fail the others.
   */
  const batches = createBatcher(
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
    knowActive(plan, policyReads, new Map(context.active.map((i) => [i.originId!, i])));
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
      if (!verifiedAgainst(d, trigger)) {
        planned.push(unauthorized());
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

  /** One delivery in a transaction of its own: a batch of one, its refusal thrown (and nothing written). */
  async function fireAlone(tx: Executor, d: Delivery): Promise<RunRow> {
    const [answer] = await fireTogether(tx, [d]);
    if (answer instanceof Error) throw answer;
    return answer!;
  }

  return {
    /** Fires one delivery, with whatever other deliveries are waiting: its run, or its own error. */
    fire: (delivery: Delivery): Promise<RunRow> => batches.load(delivery),
  };
}
