/**
 * Group commit of fires that callers wait for: webhook deliveries, and manual and API runs. Fires that arrive
 * while a batch is being written wait and go in the next batch, and a batch is one transaction: it locks its
 * routines in id order, reads what its fires need in one statement, decides each through `planFire` (as if
 * they had come one after another), and writes them all with one flush. Each fire gets its own answer: its
 * run, or the error it would get alone. When the transaction fails as a whole, each fire is tried alone, so
 * one cannot fail the others.
 */
import { AppError, conflict, notFound } from "../domain/errors";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import type { Db, Executor } from "../store/db";
import { fireRepo } from "../store/repos/fire";
import { routinesRepo } from "../store/repos/routines";
import type { RunRow } from "../store/repos/runs";
import type { TriggerRow } from "../store/repos/triggers";
import { createBatcher } from "./batcher";
import { keyOf, knowActive, newFirePlan } from "./fire-plan";
import type { FireRequest, FiringService, PlannedFire } from "./firing";

/** A fire to decide with others, and what its caller requires of it under the routine lock. */
export interface GroupedFire {
  request: FireRequest;
  /** Refuses the fire given its trigger as it is under the lock (a webhook's secret must not have changed). */
  admit?: (trigger: TriggerRow) => AppError | null;
  /** Replay fingerprints: refused with 409 "Duplicate delivery" if any is recorded; recorded with the run. */
  replays?: { fingerprints: string[]; retentionSec: (trigger: TriggerRow) => number };
}

/** Decides and writes `fires` in the caller's transaction; an answer per fire, in order. */
export async function fireTogether(firing: FiringService, tx: Executor, fires: GroupedFire[]): Promise<(RunRow | AppError)[]> {
  const requests = fires.map((f) => f.request);
  const routineIds = [...new Set(requests.map((r) => r.routineId))].sort();
  const routines = await routinesRepo.lockMany(tx, routineIds);
  const policyReads = [...routines.values()].filter((r) => r.concurrencyPolicy !== "always_enqueue").map((r) => r.id);
  const keys = requests.flatMap((r) => (r.idempotencyKey ? [{ routineId: r.routineId, triggerId: r.triggerId ?? null, key: r.idempotencyKey }] : []));
  const context = await fireRepo.batchContext(tx, {
    triggerIds: [...new Set(requests.flatMap((r) => (r.triggerId ? [r.triggerId] : [])))],
    activeFor: policyReads,
    openStatuses: OPEN_ISSUE_STATUSES,
    keys,
    fingerprints: fires.flatMap((f) => (f.replays?.fingerprints ?? []).map((fingerprint) => ({ triggerId: f.request.triggerId!, fingerprint }))),
  });
  const { live } = context;

  const plan = newFirePlan();
  knowActive(plan, policyReads, new Map(context.active.map((i) => [i.originId!, i])));
  for (const k of keys) plan.keys.set(keyOf(k.routineId, k.triggerId, k.key), null);
  for (const run of context.existing) plan.keys.set(keyOf(run.routineId, run.triggerId, run.idempotencyKey!), { runId: run.id, existing: run });
  const triggers = new Map(context.triggers.map((t) => [t.id, t]));

  const planned: (PlannedFire | AppError)[] = [];
  for (const { request, admit, replays } of fires) {
    const routine = routines.get(request.routineId);
    const trigger = request.triggerId ? triggers.get(request.triggerId) : undefined;
    if (request.triggerId && !trigger) {
      planned.push(notFound("Routine trigger not found"));
      continue;
    }
    if (!routine) {
      planned.push(notFound("Routine not found"));
      continue;
    }
    const refused = trigger && admit?.(trigger);
    if (refused) {
      planned.push(refused);
      continue;
    }
    // Replays first, under the routine lock, before the fire decides.
    const fingerprints = (replays?.fingerprints ?? []).map((f) => `${trigger!.id}/${f}`);
    if (fingerprints.some((f) => live.has(f))) {
      planned.push(conflict("Duplicate delivery"));
      continue;
    }
    try {
      planned.push(firing.planFire(plan, request, { routine, trigger, now: context.now }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      planned.push(err);
      continue;
    }
    if (!replays || !trigger) continue;
    for (const f of fingerprints) live.add(f);
    const retentionSec = replays.retentionSec(trigger);
    plan.replays.push(...replays.fingerprints.map((fingerprint) => ({ triggerId: trigger.id, fingerprint, retentionSec })));
  }
  const runs = await firing.flush(tx, plan);
  return planned.map((p) => (p instanceof AppError ? p : (p.existing ?? runs.get(p.runId) ?? new Error(`run ${p.runId} was not written`))) as RunRow | AppError);
}

export function createGroupCommit({ db, firing }: { db: Db; firing: FiringService }) {
  /** One fire in a transaction of its own: a batch of one, its refusal thrown (and nothing written). */
  async function fireAlone(tx: Executor, fire: GroupedFire): Promise<RunRow> {
    const [answer] = await fireTogether(firing, tx, [fire]);
    if (answer instanceof Error) throw answer;
    return answer!;
  }

  /**
   * One batch at a time: the next one gathers what arrives meanwhile. (Two at a time measured slower on two
   * cores: smaller batches, and both wait on the same routine and company locks.)
   */
  const batches = createBatcher(
    async (fires: GroupedFire[]) => {
      try {
        return await db.transaction((tx) => fireTogether(firing, tx, fires));
      } catch {
        return Promise.all(fires.map((f) => db.transaction((tx) => fireAlone(tx, f)).catch((err: Error) => err)));
      }
    },
    { maxBatch: 200, maxInFlight: 1 },
  );

  return {
    /** Fires with whatever other fires are waiting: its run, or its own error. */
    fire: (fire: GroupedFire): Promise<RunRow> => batches.load(fire),
  };
}

export type GroupCommit = ReturnType<typeof createGroupCommit>;
