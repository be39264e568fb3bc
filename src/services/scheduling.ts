/**
 * The scheduler's use case: at time `now`, claim due schedule triggers, fire every occurrence they
 * owe through the one firing path (catch-up policy applied), record what was dropped, and advance
 * `nextRunAt` — all in one transaction per batch. Exactly once per (trigger, scheduled time) is a
 * database fact: SKIP LOCKED splits the work, the unique (trigger_id, scheduled_for) index forbids
 * a second run for the same slot.
 *
 * A batch asks the database as little as it can: the claim brings the locked routine and trigger
 * rows and `now()`, one query finds the active executions of all its routines, and the trigger and
 * routine bookkeeping of all its fires is written at the end, one statement per table.
 */
import type { Logger } from "pino";
import type { Config } from "../config";
import { droppedReason, planCatchUp } from "../domain/catch-up";
import { nextAfter } from "../domain/cron";
import { OPEN_ISSUE_STATUSES } from "../domain/enums";
import type { Db, Executor } from "../store/db";
import { type DueTrigger, type TriggerWriteBack, claimDueTriggers, earliestDue, writeBack } from "../store/repos/due-triggers";
import { openExecutionsByRoutine } from "../store/repos/issues";
import { type BatchFacts, type FireMarks, type FiringService, mergeFireMarks, newFireMarks } from "./firing";

export interface TickResult {
  triggers: number;
  fired: number;
  dropped: number;
  /** True when the batch was full: more triggers may be due right now. */
  more: boolean;
}

export function createSchedulingService(
  db: Db,
  config: Pick<Config, "scheduler">,
  firing: FiringService,
  log?: Pick<Logger, "error">,
) {
  const { graceSec, catchUpCap } = config.scheduler;

  /**
   * Fires what one trigger owes. `active` is its routine's active execution as the batch found it,
   * or "unknown" when an earlier fire in this batch may have changed it (then the fire looks).
   */
  async function processTrigger(
    tx: Executor,
    { trigger, routine }: DueTrigger,
    now: Date,
    txNow: Date,
    active: BatchFacts["active"],
    marks: FireMarks,
  ): Promise<{ fired: number; dropped: number; nextRunAt: Date | null }> {
    const next = (after: Date) => nextAfter(trigger.cronExpression, trigger.timezone ?? "UTC", after);
    const plan = planCatchUp({
      nextRunAt: trigger.nextRunAt,
      now,
      graceMs: graceSec * 1000,
      policy: routine.catchUpPolicy,
      cap: catchUpCap,
      next,
    });
    const facts: BatchFacts = { routine, trigger, now: txNow, active, marks };
    let fired = 0;
    for (const scheduledFor of plan.fire) {
      const payload = { scheduledFor: scheduledFor.toISOString() };
      const request = { routineId: routine.id, triggerId: trigger.id, source: "schedule" as const, scheduledFor, payload };
      const { duplicate } = await firing.fireWithin(tx, request, facts);
      facts.active = "unknown";
      if (!duplicate) fired++;
    }
    if (plan.dropped) {
      await firing.recordDropped(
        tx,
        {
          routineId: routine.id,
          triggerId: trigger.id,
          scheduledFor: plan.dropped.last,
          reason: droppedReason(plan.dropped, routine.catchUpPolicy, graceSec, catchUpCap),
        },
        facts,
      );
    }
    return { fired, dropped: plan.dropped?.count ?? 0, nextRunAt: plan.nextRunAt };
  }

  /**
   * One batch in one transaction. `guarded`: a savepoint per trigger, so a broken trigger is
   * recorded as failed and the others still fire; unguarded (the first try) saves two round trips
   * per trigger, and any failure rolls the whole batch back for a guarded retry.
   */
  async function fireBatch(tx: Executor, now: Date, batchSize: number, guarded: boolean): Promise<TickResult> {
    const { due, txNow } = await claimDueTriggers(tx, now, batchSize);
    const result: TickResult = { triggers: due.length, fired: 0, dropped: 0, more: due.length === batchSize };
    if (!txNow) return result;
    const lookUp = [...new Set(due.filter((d) => d.routine.concurrencyPolicy !== "always_enqueue").map((d) => d.routine.id))];
    const active = await openExecutionsByRoutine(tx, lookUp, OPEN_ISSUE_STATUSES);
    const seen = new Set<string>();
    const marks = newFireMarks();
    const triggers: TriggerWriteBack[] = [];
    for (const d of due) {
      const known = seen.has(d.routine.id) ? "unknown" : active.get(d.routine.id);
      seen.add(d.routine.id);
      const own = newFireMarks();
      try {
        const fire = (ex: Executor) => processTrigger(ex, d, now, txNow, known, own);
        const r = guarded ? await tx.transaction(fire) : await fire(tx);
        mergeFireMarks(marks, own);
        triggers.push({ id: d.trigger.id, ...marks.triggers.get(d.trigger.id), nextRunAt: r.nextRunAt });
        result.fired += r.fired;
        result.dropped += r.dropped;
      } catch (err) {
        if (!guarded) throw err;
        log?.error({ err, triggerId: d.trigger.id }, "schedule trigger failed to fire");
        triggers.push({
          id: d.trigger.id,
          nextRunAt: nextAfterSafe(d, now),
          lastResult: `Failed to fire: ${(err as Error).message}`.slice(0, 500),
        });
      }
    }
    await writeBack(tx, triggers, [...marks.routines].map(([id, values]) => ({ id, ...values })));
    return result;
  }

  return {
    /** One batch of due triggers at `now` (the database clock in production). */
    async runDue(now: Date, batchSize = 50): Promise<TickResult> {
      try {
        return await db.transaction((tx) => fireBatch(tx, now, batchSize, false));
      } catch {
        return db.transaction((tx) => fireBatch(tx, now, batchSize, true));
      }
    },
    earliestDue: () => earliestDue(db),
  };
}

function nextAfterSafe({ trigger }: DueTrigger, now: Date): Date | null {
  try {
    return nextAfter(trigger.cronExpression, trigger.timezone ?? "UTC", now);
  } catch {
    return null;
  }
}

export type SchedulingService = ReturnType<typeof createSchedulingService>;
