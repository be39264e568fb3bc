/**
 * The scheduler's use case: at time `now`, claim due schedule triggers, fire every occurrence they
 * owe through the one firing path (catch-up policy applied), record what was dropped, and advance
 * `nextRunAt` — all in one transaction per batch. Exactly once per (trigger, scheduled time) is a
 * database fact: SKIP LOCKED splits the work, the unique (trigger_id, scheduled_for) index forbids
 * a second run for the same slot.
 */
import type { Logger } from "pino";
import type { Config } from "../config";
import { droppedReason, planCatchUp } from "../domain/catch-up";
import { nextAfter } from "../domain/cron";
import type { Db, Executor } from "../store/db";
import { type DueTrigger, claimDueTriggers, earliestDue } from "../store/repos/due-triggers";
import { triggersRepo } from "../store/repos/triggers";
import type { FiringService } from "./firing";

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

  async function processTrigger(tx: Executor, trigger: DueTrigger, now: Date): Promise<{ fired: number; dropped: number }> {
    const next = (after: Date) => nextAfter(trigger.cronExpression, trigger.timezone, after);
    const plan = planCatchUp({
      nextRunAt: trigger.nextRunAt,
      now,
      graceMs: graceSec * 1000,
      policy: trigger.catchUpPolicy,
      cap: catchUpCap,
      next,
    });
    let fired = 0;
    for (const scheduledFor of plan.fire) {
      const { duplicate } = await firing.fireWithin(tx, {
        routineId: trigger.routineId,
        triggerId: trigger.id,
        source: "schedule",
        scheduledFor,
        payload: { scheduledFor: scheduledFor.toISOString() },
      });
      if (!duplicate) fired++;
    }
    if (plan.dropped) {
      await firing.recordDropped(tx, {
        routineId: trigger.routineId,
        triggerId: trigger.id,
        scheduledFor: plan.dropped.last,
        reason: droppedReason(plan.dropped, trigger.catchUpPolicy, graceSec, catchUpCap),
      });
    }
    await triggersRepo.update(tx, trigger.id, { nextRunAt: plan.nextRunAt });
    return { fired, dropped: plan.dropped?.count ?? 0 };
  }

  return {
    /** One batch of due triggers at `now` (the database clock in production). */
    async runDue(now: Date, batchSize = 50): Promise<TickResult> {
      return db.transaction(async (tx) => {
        const due = await claimDueTriggers(tx, now, batchSize);
        const result: TickResult = { triggers: due.length, fired: 0, dropped: 0, more: due.length === batchSize };
        for (const trigger of due) {
          try {
            // A savepoint per trigger: one broken trigger must not hold back the others.
            const r = await tx.transaction((sp) => processTrigger(sp, trigger, now));
            result.fired += r.fired;
            result.dropped += r.dropped;
          } catch (err) {
            log?.error({ err, triggerId: trigger.id }, "schedule trigger failed to fire");
            await triggersRepo.update(tx, trigger.id, {
              nextRunAt: nextAfterSafe(trigger, now),
              lastResult: `Failed to fire: ${(err as Error).message}`.slice(0, 500),
            });
          }
        }
        return result;
      });
    },
    earliestDue: () => earliestDue(db),
  };
}

function nextAfterSafe(trigger: DueTrigger, now: Date): Date | null {
  try {
    return nextAfter(trigger.cronExpression, trigger.timezone, now);
  } catch {
    return null;
  }
}

export type SchedulingService = ReturnType<typeof createSchedulingService>;
