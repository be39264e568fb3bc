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
import { type DueTrigger, claimDueTriggers, earliestDue } from "../store/repos/due-triggers";
import { openExecutionsByRoutine } from "../store/repos/issues";
import { type FirePlan, knowActive, markTrigger, newFirePlan } from "./fire-plan";
import type { FiringService } from "./firing";
import { type GateDecision, decideGate, gateApplies } from "../domain/activity-gate";
import { activityRepo } from "../store/repos/activity";
import { projectsRepo } from "../store/repos/projects";
import { runsRepo } from "../store/repos/runs";

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
   * The activity gate of each gated routine of a batch: fire only if someone other than its agent (and routined)
   * did something in its scope since its last dispatched run. A few reads per gated routine; others read nothing.
   */
  async function gateDecisions(tx: Executor, due: DueTrigger[]): Promise<Map<string, GateDecision>> {
    const decisions = new Map<string, GateDecision>();
    for (const { routine } of due) {
      if (decisions.has(routine.id) || !gateApplies({ policy: routine.activityGatePolicy, source: "schedule" })) continue;
      const scopedProject = routine.activityGateScope === "project" ? routine.projectId : null;
      const [lastDispatchedAt, project] = await Promise.all([
        runsRepo.lastDispatchedAt(tx, routine.id),
        scopedProject ? projectsRepo.get(tx, scopedProject) : undefined,
      ]);
      const firstOutsideActivityAt = lastDispatchedAt
        ? await activityRepo.firstOutside(tx, { companyId: routine.companyId, projectId: scopedProject, agentId: routine.assigneeAgentId, since: lastDispatchedAt })
        : null;
      decisions.set(
        routine.id,
        decideGate({
          policy: routine.activityGatePolicy,
          scope: routine.activityGateScope,
          source: "schedule",
          project: project ? { id: project.id, name: project.name } : null,
          lastDispatchedAt,
          firstOutsideActivityAt,
        }),
      );
    }
    return decisions;
  }

  /** Plans what one trigger owes: its due occurrences (catch-up policy applied), the dropped ones, its next run. */
  function planTrigger(plan: FirePlan, { trigger, routine }: DueTrigger, now: Date, txNow: Date, gate?: GateDecision) {
    const next = (after: Date) => nextAfter(trigger.cronExpression, trigger.timezone ?? "UTC", after);
    const caughtUp = planCatchUp({
      nextRunAt: trigger.nextRunAt,
      now,
      graceMs: graceSec * 1000,
      policy: routine.catchUpPolicy,
      cap: catchUpCap,
      next,
    });
    const facts = { routine, trigger, now: txNow };
    for (const scheduledFor of caughtUp.fire) {
      const payload = { scheduledFor: scheduledFor.toISOString() };
      firing.planFire(plan, { routineId: routine.id, triggerId: trigger.id, source: "schedule", scheduledFor, payload, gate }, facts);
    }
    if (caughtUp.dropped) {
      const reason = droppedReason(caughtUp.dropped, routine.catchUpPolicy, graceSec, catchUpCap);
      firing.planDropped(plan, { scheduledFor: caughtUp.dropped.last, reason }, facts);
    }
    markTrigger(plan, trigger.id, { nextRunAt: caughtUp.nextRunAt });
    return { fired: caughtUp.fire.length, dropped: caughtUp.dropped?.count ?? 0 };
  }

  /**
   * One batch in one transaction. Unguarded (the first try), the whole batch is one plan and one flush;
   * any failure rolls it back for a guarded retry: a plan and a savepoint per trigger, so a broken
   * trigger is recorded as failed and the others still fire.
   */
  async function fireBatch(tx: Executor, now: Date, batchSize: number, guarded: boolean): Promise<TickResult> {
    const { due, txNow } = await claimDueTriggers(tx, now, batchSize);
    const result: TickResult = { triggers: due.length, fired: 0, dropped: 0, more: due.length === batchSize };
    if (!txNow) return result;
    // Only the routines whose policy looks at the active execution need it read.
    const lookUp = new Set(due.filter((d) => d.routine.concurrencyPolicy !== "always_enqueue").map((d) => d.routine.id));
    const active = await openExecutionsByRoutine(tx, [...lookUp], OPEN_ISSUE_STATUSES);
    const gates = await gateDecisions(tx, due);
    const batchPlan = newFirePlan();
    knowActive(batchPlan, lookUp, active);
    const seen = new Set<string>();
    for (const d of due) {
      // Guarded, each trigger is flushed on its own: what an earlier trigger of the same routine did is then
      // in the database, not in a plan, so its active execution is read again.
      const firstOfRoutine = !seen.has(d.routine.id);
      seen.add(d.routine.id);
      try {
        const r = guarded
          ? await tx.transaction(async (sp) => {
              const plan = newFirePlan();
              if (lookUp.has(d.routine.id)) {
                const found = firstOfRoutine ? active : await openExecutionsByRoutine(sp, [d.routine.id], OPEN_ISSUE_STATUSES);
                knowActive(plan, [d.routine.id], found);
              }
              const planned = planTrigger(plan, d, now, txNow, gates.get(d.routine.id));
              await firing.flush(sp, plan, "nothing");
              return planned;
            })
          : planTrigger(batchPlan, d, now, txNow, gates.get(d.routine.id));
        result.fired += r.fired;
        result.dropped += r.dropped;
      } catch (err) {
        if (!guarded) throw err;
        log?.error({ err, triggerId: d.trigger.id }, "schedule trigger failed to fire");
        markTrigger(batchPlan, d.trigger.id, {
          nextRunAt: nextAfterSafe(d, now),
          lastResult: `Failed to fire: ${(err as Error).message}`.slice(0, 500),
        });
      }
    }
    await firing.flush(tx, batchPlan, "nothing");
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
